// Pipeline stage: recognises the structure of every table region on a page (see
// table_structure.h). Its own stage, so a table-heavy page does not hold up layout of the pages
// behind it. Usually the last stage that needs the page raster, so it frees it.
#pragma once

#include "core/page.h"
#include "pipeline/stage.h"
#include "tables/table_structure.h"

namespace pageflow::tables {

class TablesStage : public pipeline::Stage {
 public:
  explicit TablesStage(const TableModel* model) : model_(model) {}
  std::string name() const override { return "tables"; }
  // Pages of documents that asked for table structure where the layout model found a table or
  // a picture (a picture may be a mislabeled table), or with lines enough for a table it missed.
  bool wants(const pipeline::Item& item) const override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;
  // Last to need the raster, unless assembly crops pictures from it.
  bool releases_scratch(const pipeline::Item& item) const override;

 private:
  void add_ruled_tables(Page& page) const;
  void add_contents_tables(Page& page) const;
  void add_unmarked_tables(Page& page) const;

  const TableModel* model_;
};

}  // namespace pageflow::tables
