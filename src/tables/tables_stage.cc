#include "tables/tables_stage.h"

#include <algorithm>

#include "core/page.h"
#include "tables/table_structure.h"

namespace pageflow::tables {

bool TablesStage::wants(const pipeline::Item& item) const {
  const auto& page = static_cast<const Page&>(item);
  if (!page.doc->settings->tables) return false;
  const auto& regions = page.regions;
  return std::any_of(regions.begin(), regions.end(), [](const Region& r) { return r.label == Label::table; });
}

void TablesStage::process(std::span<pipeline::Item* const> batch, int) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    page.tables.clear();
    page.prose_regions.clear();
    for (auto& region : page.regions) {
      if (region.label != Label::table) continue;
      Recognised found = recognise(region.box, page.lines, page.raster, page.raster_scale, model_,
                                   page.doc->settings->table_engine);
      if (found.region) region.box = *found.region;  // the rest of the region is text
      if (found.earned) {
        page.tables.emplace_back(region.box, std::move(found.table));
      } else {
        page.prose_regions.push_back(region.box);
      }
    }
  }
}

bool TablesStage::releases_scratch(const pipeline::Item& item) const {
  return !static_cast<const Page&>(item).keeps_raster_for_assembly();
}

}  // namespace pageflow::tables
