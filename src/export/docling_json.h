// The DoclingDocument JSON as an object, for callers that embed it in a larger JSON value (the
// service's responses) instead of writing it out as text (to_docling_json in export.h).
#pragma once

#include <nlohmann/json.hpp>

#include "pageflow/document.h"

namespace pageflow {

nlohmann::json docling_json(const Document& doc);

}  // namespace pageflow
