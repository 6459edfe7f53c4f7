// How converted pages travel through Redis: a slice's DocumentPages, a finished Document and a
// job's options, encoded as CBOR (binary-safe, so pictures' PNG bytes go as they are). Encoding
// is lossless: a document decoded on another machine renders byte for byte as the original.
#pragma once

#include <string>

#include "core/blocks.h"
#include "pageflow/engine.h"

namespace pageflow::scale {

std::string encode(const DocumentPages& pages);
std::string encode(const Document& document);
// Throw std::runtime_error for bytes that are not such an encoding.
DocumentPages decode_document_pages(const std::string& bytes);
Document decode_document(const std::string& bytes);

// JSON text, so an operator reading the queue sees the options in plain words.
std::string encode(const JobOptions& options);
JobOptions decode_job_options(const std::string& text);

}  // namespace pageflow::scale
