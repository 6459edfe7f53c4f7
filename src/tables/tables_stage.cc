#include "tables/tables_stage.h"

#include "core/page.h"
#include "tables/table_structure.h"

namespace pageflow::tables {

void TablesStage::process(std::span<pipeline::Item* const> batch, int) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    page.tables.clear();
    for (const auto& region : page.regions) {
      if (region.label != Label::table) continue;
      page.tables.emplace_back(
          region.box, recognise(region.box, page.lines, page.raster, page.raster_scale, model_, engine_).table);
    }
  }
}

}  // namespace pageflow::tables
