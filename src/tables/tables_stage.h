// Pipeline stage: recognises the structure of every table region on a page (see
// table_structure.h). Its own stage, so a table-heavy page does not hold up layout of the pages
// behind it. Usually the last stage that needs the page raster, so it frees it.
#pragma once

#include "pipeline/stage.h"
#include "tables/table_structure.h"

namespace pageflow::tables {

class TablesStage : public pipeline::Stage {
 public:
  // `releases_raster`: no later stage needs the page raster.
  TablesStage(bool releases_raster, const TableModel* model, Engine engine)
      : releases_raster_(releases_raster), model_(model), engine_(engine) {}
  std::string name() const override { return "tables"; }
  // Pages the layout model found a table on.
  bool wants(const pipeline::Item& item) const override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;
  bool releases_scratch() const override { return releases_raster_; }

 private:
  bool releases_raster_;
  const TableModel* model_;
  Engine engine_;
};

}  // namespace pageflow::tables
