#include "pdf/mupdf.h"

#include <dlfcn.h>

#include <cstdio>

extern "C" {
#include <jpeglib.h>
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
}

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <tuple>
#include <set>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/checkboxes.h"
#include "core/ruled_frames.h"
#include "core/statistics.h"
#include "core/text.h"
#include "pdf/symbol_fonts.h"
#include "pipeline/cancel.h"

namespace pageflow::pdf {

namespace {

// Messages that codecs print on their own (libjpeg's "Corrupt JPEG data: ..."), gathered for
// the page being read on this thread so that they are reported with its file and page number.
thread_local std::vector<std::string>* t_codec_messages = nullptr;

class CodecMessages {
 public:
  CodecMessages() : previous_(std::exchange(t_codec_messages, &messages_)) {}
  ~CodecMessages() { t_codec_messages = previous_; }
  CodecMessages(const CodecMessages&) = delete;
  CodecMessages& operator=(const CodecMessages&) = delete;
  // "; libjpeg: Corrupt JPEG data: ..." once per distinct message, or "".
  std::string summary() const {
    std::string out;
    for (size_t i = 0; i < messages_.size(); ++i) {
      if (std::find(messages_.begin(), messages_.begin() + static_cast<long>(i), messages_[i]) ==
          messages_.begin() + static_cast<long>(i)) {
        out += (out.empty() ? "" : "; ") + messages_[i];
      }
    }
    return out;
  }

 private:
  std::vector<std::string> messages_;
  std::vector<std::string>* previous_;
};

void route_jpeg_message(j_common_ptr cinfo) {
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  if (t_codec_messages) {
    t_codec_messages->push_back(std::string("libjpeg: ") + text);
  } else {
    std::fprintf(stderr, "pageflow: warning: libjpeg: %s\n", text);
  }
}

}  // namespace

}  // namespace pageflow::pdf

// MuPDF (linked statically) sets up libjpeg's error manager with jpeg_std_error and leaves its
// output_message at libjpeg's default, which prints to stderr with no file name. This definition
// stands in for libjpeg's across the program: it calls the real one, then routes the messages.
extern "C" struct jpeg_error_mgr* jpeg_std_error(struct jpeg_error_mgr* err) {
  using StdError = struct jpeg_error_mgr* (*)(struct jpeg_error_mgr*);
  static const auto real = reinterpret_cast<StdError>(dlsym(RTLD_NEXT, "jpeg_std_error"));
  real(err);
  err->output_message = pageflow::pdf::route_jpeg_message;
  return err;
}

namespace pageflow::pdf {

namespace {

// Allocations carry their size in a header (16 bytes keeps malloc's alignment).
constexpr size_t kHeader = 16;

bool reserve(AllocationBudget& b, size_t size) {
  if (b.used.fetch_add(size) + size <= b.limit) return true;
  b.used.fetch_sub(size);
  return false;
}

void* budget_malloc(void* user, size_t size) {
  auto& budget = *static_cast<AllocationBudget*>(user);
  if (size > budget.max_block || !reserve(budget, size)) return nullptr;
  auto* block = static_cast<char*>(std::malloc(size + kHeader));
  if (!block) {
    budget.used.fetch_sub(size);
    return nullptr;
  }
  std::memcpy(block, &size, sizeof size);
  return block + kHeader;
}

void budget_free(void* user, void* ptr) {
  if (!ptr) return;
  char* block = static_cast<char*>(ptr) - kHeader;
  size_t size;
  std::memcpy(&size, block, sizeof size);
  static_cast<AllocationBudget*>(user)->used.fetch_sub(size);
  std::free(block);
}

void* budget_realloc(void* user, void* ptr, size_t size) {
  if (!ptr) return budget_malloc(user, size);
  if (size == 0) {
    budget_free(user, ptr);
    return nullptr;
  }
  auto& budget = *static_cast<AllocationBudget*>(user);
  if (size > budget.max_block) return nullptr;
  char* block = static_cast<char*>(ptr) - kHeader;
  size_t old;
  std::memcpy(&old, block, sizeof old);
  if (size > old && !reserve(budget, size - old)) return nullptr;
  auto* grown = static_cast<char*>(std::realloc(block, size + kHeader));
  if (!grown) {
    if (size > old) budget.used.fetch_sub(size - old);
    return nullptr;
  }
  if (size < old) budget.used.fetch_sub(old - size);
  std::memcpy(grown, &size, sizeof size);
  return grown + kHeader;
}

void lock_fn(void* user, int lock) { static_cast<std::mutex*>(user)[lock].lock(); }
void unlock_fn(void* user, int lock) { static_cast<std::mutex*>(user)[lock].unlock(); }

// MuPDF prints warnings (e.g. "repairing PDF document") to stderr by default; pageflow reports
// problems per file and page itself.
void quiet_warning(void*, const char*) {}
void quiet_error(void*, const char*) {}

struct Glyph {
  char32_t c;
  Box box;
  float size;
  fz_font* font;
};

// A rectangle of the page's space as a Box measured from the page box's corner (dx, dy).
Box page_box(const fz_rect& r, double dx, double dy) { return {r.x0 - dx, r.y0 - dy, r.x1 - dx, r.y1 - dy}; }

Box quad_box(const fz_quad& q, double dx, double dy) { return page_box(fz_rect_from_quad(q), dx, dy); }

void grow(Box& box, const Box& other, bool first) {
  if (first) {
    box = other;
    return;
  }
  box.l = std::min(box.l, other.l);
  box.t = std::min(box.t, other.t);
  box.r = std::max(box.r, other.r);
  box.b = std::max(box.b, other.b);
}

bool name_has(const char* name, std::initializer_list<const char*> needles) {
  for (const char* n : needles) {
    if (strcasestr(name, n)) return true;
  }
  return false;
}

// Right-to-left lines: MuPDF yields glyphs in drawing order, which PDF producers emit in visual
// order. Reading order is right to left, except runs of digits/Latin inside, which read left to
// right. A zero-width glyph is the tail of a ligature ("lam-alef") whose parts are already in
// logical order, so it stays behind the glyph it belongs to. (A full bidi algorithm is overkill
// for extracted lines.)
void to_logical_order(std::vector<Glyph>& glyphs) {
  size_t rtl = 0, ltr = 0;
  for (const auto& g : glyphs) {
    rtl += is_rtl_letter(g.c);
    ltr += is_ltr_strong(g.c);
  }
  if (rtl <= ltr) return;
  std::vector<std::vector<Glyph>> clusters;
  for (const auto& g : glyphs) {
    if (!clusters.empty() && g.box.width() < 0.01 && !is_space(g.c)) {
      clusters.back().push_back(g);
    } else {
      clusters.push_back({g});
    }
  }
  std::stable_sort(clusters.begin(), clusters.end(), [](const auto& a, const auto& b) {
    return a.front().box.l + a.front().box.r > b.front().box.l + b.front().box.r;
  });
  for (size_t i = 0; i < clusters.size();) {
    if (!is_ltr_strong(clusters[i].front().c)) {
      ++i;
      continue;
    }
    size_t end = i, j = i;
    while (j < clusters.size() && !is_rtl_letter(clusters[j].front().c)) {
      if (is_ltr_strong(clusters[j].front().c)) end = j + 1;
      ++j;
    }
    std::reverse(clusters.begin() + static_cast<long>(i), clusters.begin() + static_cast<long>(end));
    i = end;
  }
  glyphs.clear();
  for (auto& c : clusters) glyphs.insert(glyphs.end(), c.begin(), c.end());
}

bool is_monospaced(fz_context* ctx, fz_font* font) {
  return fz_font_is_monospaced(ctx, font) ||
         name_has(fz_font_name(ctx, font), {"mono", "courier", "consol", "typewriter", "cmtt"});
}

// Fonts whose Latin letters and signs all advance by one width on this page: monospaced faces
// that say so neither by flag nor by name (an embedded "BookMasterGothic" listing). Digits are
// left out (most faces set them at one width); ideographs too (always one width): such a face is
// fixed-pitch for the Latin text it sets, not for the CJK prose it also sets.
std::set<fz_font*> fonts_of_fixed_pitch(fz_stext_page* text) {
  struct Pitch {
    float least = 1e9f, most = 0;
    std::set<int> letters;
  };
  std::map<fz_font*, Pitch> pitches;
  for (fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
      for (fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
        if (!ch->font || ch->size <= 0 || ch->c <= 0x20 || ch->c >= 0x7F || (ch->c >= '0' && ch->c <= '9')) continue;
        const float advance = std::hypot(ch->quad.ur.x - ch->quad.ul.x, ch->quad.ur.y - ch->quad.ul.y) / ch->size;
        Pitch& p = pitches[ch->font];
        p.least = std::min(p.least, advance);
        p.most = std::max(p.most, advance);
        p.letters.insert(ch->c);
      }
    }
  }
  std::set<fz_font*> fixed;
  for (const auto& [font, p] : pitches) {
    if (p.letters.size() >= 8 && p.most - p.least <= 0.02f) fixed.insert(font);
  }
  return fixed;
}

// Lines drawn twice: some producers paint a line again over itself (an overlay, or a partial
// copy holding a few of its glyphs), and the text layer keeps both. Longest lines first, a line
// whose glyphs are, four in five, the same characters at the same places as glyphs of a line
// already kept is no text of its own.
std::set<const fz_stext_line*> overdrawn_lines(fz_stext_page* text) {
  std::vector<std::pair<const fz_stext_line*, size_t>> lines;
  for (fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
      size_t glyphs = 0;
      for (fz_stext_char* ch = line->first_char; ch; ch = ch->next) glyphs += !is_space(static_cast<char32_t>(ch->c));
      if (glyphs > 0) lines.emplace_back(line, glyphs);
    }
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  constexpr float kCell = 4;  // points: a glyph's copy lies in its cell or a neighbouring one
  struct Kept {
    int c;
    fz_rect box;
  };
  std::map<std::pair<int, int>, std::vector<Kept>> kept;
  auto cell_of = [](float x, float y) { return std::pair{static_cast<int>(std::floor(x / kCell)), static_cast<int>(std::floor(y / kCell))}; };
  auto copies = [&](int c, const fz_rect& box) {
    const auto [cx, cy] = cell_of(box.x0, box.y0);
    const float dx = 0.3f * std::max(1.0f, box.x1 - box.x0), dy = 0.3f * std::max(1.0f, box.y1 - box.y0);
    for (int i = cx - 1; i <= cx + 1; ++i) {
      for (int j = cy - 1; j <= cy + 1; ++j) {
        auto found = kept.find({i, j});
        if (found == kept.end()) continue;
        for (const Kept& k : found->second) {
          if (k.c == c && std::abs(k.box.x0 - box.x0) <= dx && std::abs(k.box.y0 - box.y0) <= dy) return true;
        }
      }
    }
    return false;
  };
  std::set<const fz_stext_line*> overdrawn;
  for (const auto& [line, glyphs] : lines) {
    size_t copied = 0;
    for (fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
      copied += !is_space(static_cast<char32_t>(ch->c)) && copies(ch->c, fz_rect_from_quad(ch->quad));
    }
    if (copied * 5 >= glyphs * 4) {
      overdrawn.insert(line);
      continue;
    }
    for (fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
      const fz_rect box = fz_rect_from_quad(ch->quad);
      kept[cell_of(box.x0, box.y0)].push_back({ch->c, box});
    }
  }
  return overdrawn;
}

bool is_high_surrogate(char32_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low_surrogate(char32_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

bool starts_with_comment_marker(const std::string& text) {
  for (const char* marker : {"#", "//", "/*", "--", ";", "%"}) {
    if (text.rfind(marker, 0) == 0) return true;
  }
  return false;
}

TextLine make_line(fz_context* ctx, std::vector<Glyph>& glyphs, int block, const std::set<fz_font*>& fixed_pitch) {
  to_logical_order(glyphs);
  TextLine line;
  line.block = block;
  // Glyphs per font, the fonts in the order they first appear: on a tie the line takes the font
  // met first, not the one that happens to lie at the lower address (that differs from run to
  // run, and so did a line of half regular, half slanted type).
  std::vector<std::pair<fz_font*, int>> font_votes;
  std::map<fz_font*, int> latin_in_fixed_pitch;
  std::vector<float> sizes;
  Word word;
  bool word_started = false, line_started = false;
  auto flush_word = [&] {
    if (!word_started) return;
    if (!line.text.empty()) line.text += ' ';
    line.text += word.text;
    line.words.push_back(std::move(word));
    word = Word{};
    word_started = false;
  };
  const Glyph* previous = nullptr;
  bool tall_unmapped_alone = false;
  for (const auto& g : glyphs) {
    if (is_space(g.c)) {
      flush_word();
      previous = nullptr;
      continue;
    }
    if (g.c < 0x20) continue;
    // Fake bold draws each glyph twice, a hair apart: the second copy is not text. The copies
    // overlap both ways (in a line running up or down the page, the next glyph lies across the
    // width of this one).
    if (previous && previous->c == g.c && g.box.width() > 0 && g.box.height() > 0 &&
        std::min(g.box.r, previous->box.r) - std::max(g.box.l, previous->box.l) > 0.7 * g.box.width() &&
        std::min(g.box.b, previous->box.b) - std::max(g.box.t, previous->box.t) > 0.7 * g.box.height()) {
      continue;
    }
    // Nor is a zero-width repeat of a character beyond the basic plane at the glyph's end (a
    // ToUnicode entry naming it twice; MuPDF writes the extra characters of an entry so). A
    // ligature's letters repeat that way too ("ffi"), so only those characters.
    if (previous && previous->c == g.c && g.c >= 0x10000 && g.box.width() < 0.01 &&
        std::abs(g.box.l - previous->box.r) < 0.01) {
      continue;
    }
    previous = &g;
    // A glyph without a Unicode mapping is written as U+FFFD by MuPDF: at the start of a line it
    // is a symbol-font bullet (kept as one, so the list item is recognised); elsewhere it is
    // nothing a reader could use.
    if (g.c == 0xFFFD) {
      if (line_started) continue;
      tall_unmapped_alone = g.box.height() > 1.5 * g.size;
      append_utf8(word.text, 0x2022);
      grow(word.box, g.box, true);
      grow(line.box, g.box, true);
      word_started = line_started = true;
      flush_word();
      continue;
    }
    tall_unmapped_alone = false;
    append_utf8(word.text, g.c);
    grow(word.box, g.box, !word_started);
    grow(line.box, g.box, !line_started);
    word_started = line_started = true;
    const auto voted = std::find_if(font_votes.begin(), font_votes.end(), [&](const auto& v) { return v.first == g.font; });
    if (voted == font_votes.end()) {
      font_votes.emplace_back(g.font, 1);
    } else {
      ++voted->second;
    }
    if (g.c < 0x7F && fixed_pitch.contains(g.font)) ++latin_in_fixed_pitch[g.font];
    sizes.push_back(g.size);
  }
  flush_word();
  // An unmapped glyph alone on its line and taller than its type (a display formula's big
  // operator) is no bullet: nothing to read.
  if (tall_unmapped_alone) return TextLine{};
  if (sizes.empty()) return line;
  line.font_size = median(std::move(sizes));
  fz_font* font = std::max_element(font_votes.begin(), font_votes.end(), [](auto& a, auto& b) {
                    return a.second < b.second;
                  })->first;
  if (font) {
    const char* name = fz_font_name(ctx, font);
    line.bold = fz_font_is_bold(ctx, font) || name_has(name, {"bold", "black", "heavy", "semibold", "demi"});
    line.italic = fz_font_is_italic(ctx, font) || name_has(name, {"italic", "oblique"});
  }
  // Code, not prose with code words in it: a sentence mentioning sum(x)/length(x) and var(x)
  // can have most of its letters in the monospaced font.
  int glyphs_in_mono = 0, all_glyphs = 0;
  for (const auto& [f, count] : font_votes) {
    all_glyphs += count;
    if (f && is_monospaced(ctx, f)) {
      glyphs_in_mono += count;
    } else if (auto latin = latin_in_fixed_pitch.find(f); latin != latin_in_fixed_pitch.end()) {
      glyphs_in_mono += latin->second;
    }
  }
  line.monospace = glyphs_in_mono >= 0.8 * all_glyphs;
  // A listing's comment set in roman after a monospaced marker ("## plot it": texinfo sets R's
  // comments so) is a line of the listing.
  fz_font* first_font = font_votes.front().first;
  if (!line.monospace && first_font && is_monospaced(ctx, first_font) && starts_with_comment_marker(line.text)) {
    line.monospace = true;
  }
  return line;
}

// An fz_cookie whose abort flag follows the current pipeline call's stop token, so that MuPDF's
// interpreter stops between operators once the page's work is abandoned.
class AbortCookie {
 public:
  AbortCookie() : watch_(pipeline::current_call_stop(), [this] { cookie_.abort = 1; }) {}
  fz_cookie* get() { return &cookie_; }

 private:
  fz_cookie cookie_{};  // before watch_: the callback may run in watch_'s constructor
  std::stop_callback<std::function<void()>> watch_;
};

// The scale lowered, if need be, to keep the page within the pixel budget.
double capped_scale(const fz_rect& bounds, double scale, long long max_pixels) {
  const double w = bounds.x1 - bounds.x0, h = bounds.y1 - bounds.y0;
  const double pixels = w * h * scale * scale;
  if (pixels > static_cast<double>(max_pixels)) scale *= std::sqrt(static_cast<double>(max_pixels) / pixels);
  return scale;
}

// The pixel rectangle a page's bounds cover at `scale`.
fz_irect pixel_bounds(const fz_rect& bounds, double scale) {
  return fz_round_rect(fz_transform_rect(bounds, fz_scale(static_cast<float>(scale), static_cast<float>(scale))));
}

// Renders with the pixel budget applied; throws through fz_throw like any MuPDF call.
fz_pixmap* render_pixmap(fz_context* ctx, fz_page* page, const fz_rect& bounds, double* scale,
                         long long max_pixels, fz_cookie* cookie) {
  *scale = capped_scale(bounds, *scale, max_pixels);
  const fz_matrix ctm = fz_scale(static_cast<float>(*scale), static_cast<float>(*scale));
  fz_pixmap* pix = fz_new_pixmap_with_bbox(ctx, fz_device_bgr(ctx), pixel_bounds(bounds, *scale), nullptr, 0);
  fz_device* dev = nullptr;
  fz_var(dev);
  fz_try(ctx) {
    fz_clear_pixmap_with_value(ctx, pix, 0xFF);
    dev = fz_new_draw_device(ctx, fz_identity, pix);
    fz_run_page(ctx, page, dev, ctm, cookie);
    fz_close_device(ctx, dev);
  }
  fz_always(ctx) { fz_drop_device(ctx, dev); }
  fz_catch(ctx) {
    fz_drop_pixmap(ctx, pix);
    fz_rethrow(ctx);
  }
  return pix;
}

cv::Mat to_mat(fz_context* ctx, fz_pixmap* pix) {
  const int w = fz_pixmap_width(ctx, pix), h = fz_pixmap_height(ctx, pix);
  cv::Mat view(h, w, CV_8UC3, fz_pixmap_samples(ctx, pix), static_cast<size_t>(fz_pixmap_stride(ctx, pix)));
  return view.clone();
}

// The page's structured text, or nullptr with MuPDF's message in `error`.
fz_stext_page* extract_text(fz_context* ctx, fz_page* page, const fz_rect& bounds, int flags, fz_cookie* cookie,
                            std::string* error) {
  fz_stext_page* text = nullptr;
  fz_device* dev = nullptr;
  fz_var(text);
  fz_var(dev);
  fz_try(ctx) {
    fz_stext_options options{};
    options.flags = flags;
    text = fz_new_stext_page(ctx, bounds);
    dev = fz_new_stext_device(ctx, text, &options);
    fz_run_page(ctx, page, dev, fz_identity, cookie);
    fz_close_device(ctx, dev);
  }
  fz_always(ctx) { fz_drop_device(ctx, dev); }
  fz_catch(ctx) {
    fz_drop_stext_page(ctx, text);
    text = nullptr;
    *error = fz_caught_message(ctx);
  }
  return text;
}

// For a page that looks scanned (no text, images over at least half of it), the resolution of
// its largest image in pixels per inch; 0 for any other page.
double scan_resolution(fz_stext_page* text, const fz_rect& bounds) {
  double image_area = 0, largest = 0, dpi = 0;
  for (fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type == FZ_STEXT_BLOCK_TEXT) return 0;
    if (block->type != FZ_STEXT_BLOCK_IMAGE || !block->u.i.image) continue;
    const fz_rect r = fz_intersect_rect(block->bbox, bounds);
    if (fz_is_empty_rect(r)) continue;
    const double area = (r.x1 - r.x0) * (r.y1 - r.y0);
    image_area += area;
    if (area > largest && block->bbox.x1 > block->bbox.x0) {
      largest = area;
      dpi = block->u.i.image->w * 72.0 / (block->bbox.x1 - block->bbox.x0);
    }
  }
  return image_area >= 0.5 * (bounds.x1 - bounds.x0) * (bounds.y1 - bounds.y0) ? dpi : 0;
}

// Content that decodes to more than kBombFloor bytes at more than kBombRatio times its stored
// size is a bomb (real pages compress 3-20x); above max_block bytes it is one whatever the
// ratio. Either is found after reading at most that much, in a fraction of a second.
constexpr size_t kBombFloor = size_t{32} << 20;
constexpr size_t kBombRatio = 200;

// Reads the page's content streams (and those of the forms it draws) through without keeping
// them, counting decoded bytes, and reads every image's declared size without decoding it.
PageCheck preflight(fz_context* ctx, fz_page* page, size_t max_block, const std::stop_token& stop) {
  PageCheck result;
  pdf_page* ppage = pdf_page_from_fz_page(ctx, page);
  if (!ppage) return result;
  const double max_pixels = static_cast<double>(max_block) / 4;  // RGBA, the widest MuPDF decodes to
  // Declared outside fz_try: a longjmp out of the block must not skip their destructors.
  std::vector<std::pair<pdf_obj*, int>> pending;  // resource dictionaries, with their form depth
  std::vector<pdf_obj*> streams;
  std::set<int> seen;
  std::vector<unsigned char> buffer(size_t{1} << 16);
  fz_stream* stream = nullptr;
  fz_var(stream);
  fz_try(ctx) {
    pdf_obj* contents = pdf_dict_get(ctx, ppage->obj, PDF_NAME(Contents));
    for (int i = 0, n = pdf_is_array(ctx, contents) ? pdf_array_len(ctx, contents) : 1; i < n; ++i) {
      streams.push_back(pdf_is_array(ctx, contents) ? pdf_array_get(ctx, contents, i) : contents);
    }
    pending.emplace_back(pdf_page_resources(ctx, ppage), 0);
    for (size_t examined = 0; !pending.empty() && result.no_draw.empty() && examined < 100000;) {
      auto [resources, depth] = pending.back();
      pending.pop_back();
      pdf_obj* xobjects = pdf_dict_get(ctx, resources, PDF_NAME(XObject));
      for (int i = 0, n = pdf_dict_len(ctx, xobjects); i < n && result.no_draw.empty(); ++i, ++examined) {
        pdf_obj* xobject = pdf_dict_get_val(ctx, xobjects, i);
        if (pdf_to_num(ctx, xobject) > 0 && !seen.insert(pdf_to_num(ctx, xobject)).second) continue;
        pdf_obj* subtype = pdf_dict_get(ctx, xobject, PDF_NAME(Subtype));
        if (pdf_name_eq(ctx, subtype, PDF_NAME(Image))) {
          const double w = pdf_dict_get_int(ctx, xobject, PDF_NAME(Width));
          const double h = pdf_dict_get_int(ctx, xobject, PDF_NAME(Height));
          if (w * h > max_pixels) {
            result.no_draw = "an image of " + std::to_string(static_cast<long long>(w)) + " x " +
                             std::to_string(static_cast<long long>(h)) + " px is over the " +
                             std::to_string(static_cast<long long>(max_pixels / 1e6)) +
                             "-megapixel limit (--memory-limit / 4)";
          }
        } else if (pdf_name_eq(ctx, subtype, PDF_NAME(Form)) && depth < 16) {
          streams.push_back(xobject);
          if (pdf_obj* inner = pdf_dict_get(ctx, xobject, PDF_NAME(Resources))) pending.emplace_back(inner, depth + 1);
        }
      }
    }
    // Counted over all the page's streams together: a content array may name one small stream
    // ten thousand times.
    size_t stored = 0, decoded = 0;
    for (pdf_obj* content : streams) {
      if (!pdf_is_stream(ctx, content) || !result.fail.empty() || stop.stop_requested()) continue;
      stored += static_cast<size_t>(std::max(1, pdf_dict_get_int(ctx, content, PDF_NAME(Length))));
      stream = pdf_open_stream(ctx, content);
      for (size_t n; result.fail.empty() && !stop.stop_requested() &&
                     (n = fz_read(ctx, stream, buffer.data(), buffer.size())) > 0;) {
        decoded += n;
        if (decoded > max_block || (decoded > kBombFloor && decoded > kBombRatio * stored)) {
          result.fail = "content streams of " + std::to_string(stored) + " bytes expand past " +
                        std::to_string(decoded >> 20) + " MB (a decompression bomb)";
        }
      }
      fz_drop_stream(ctx, stream);
      stream = nullptr;
    }
  }
  fz_always(ctx) { fz_drop_stream(ctx, stream); }
  fz_catch(ctx) {}  // a broken stream or dictionary is the interpreter's to report
  return result;
}

// Leaves of the page tree under the catalog's /Pages, counted without trusting any /Count and
// without visiting a node twice; stops at `enough` (no more pages than the file declares).
// Returns -1 when `stop` is requested. MuPDF errors propagate (fz_throw) to the caller's fz_try;
// the containers live outside this function's jumps, so a longjmp skips no destructor.
int count_page_leaves(fz_context* ctx, pdf_document* pdf, int enough, const std::stop_token& stop,
                      std::vector<pdf_obj*>& pending, std::set<int>& seen) {
  pending.assign(1, pdf_dict_getp(ctx, pdf_trailer(ctx, pdf), "Root/Pages"));
  int leaves = 0;
  for (size_t visits = 0; !pending.empty() && leaves < enough; ++visits) {
    if (visits % 4096 == 0 && stop.stop_requested()) return -1;
    pdf_obj* node = pending.back();
    pending.pop_back();
    if (!pdf_is_dict(ctx, node)) continue;
    if (pdf_to_num(ctx, node) > 0 && !seen.insert(pdf_to_num(ctx, node)).second) continue;  // a cycle
    pdf_obj* kids = pdf_dict_get(ctx, node, PDF_NAME(Kids));
    if (!pdf_is_array(ctx, kids)) {
      ++leaves;
      continue;
    }
    // Reversed, so the stack yields kids in page order.
    for (int i = pdf_array_len(ctx, kids) - 1; i >= 0; --i) pending.push_back(pdf_array_get(ctx, kids, i));
  }
  return leaves;
}

// What a page draws with paths: the small shapes of form checkboxes (core/checkboxes.h), and the
// box of every path, for drawings no region claims (logos and emblems drawn as paths). A device of
// its own, run after the text device: MuPDF 1.21's structured-text device ignores paths.
struct PathsDrawn {
  DrawnShapes shapes;
  std::vector<Box> boxes;
  std::vector<Box> rules;  // axis-aligned strokes and thin filled bars (a segment's box)
};

struct PathCollector {
  fz_device super;
  PathsDrawn* drawn;
  fz_point origin;
};

struct PathOutline {
  std::vector<fz_point> points;
  std::vector<std::pair<size_t, size_t>> segments;  // straight pieces, as indices into points
  size_t subpath_start = 0;
  int subpaths = 0;
  bool curved = false;

  void line_to(fz_point p) {
    segments.emplace_back(points.size() - 1, points.size());
    points.push_back(p);
  }
};

const fz_path_walker kOutlineWalker = {
    [](fz_context*, void* arg, float x, float y) {
      auto* o = static_cast<PathOutline*>(arg);
      ++o->subpaths;
      o->subpath_start = o->points.size();
      o->points.push_back({x, y});
    },
    [](fz_context*, void* arg, float x, float y) {
      auto* o = static_cast<PathOutline*>(arg);
      if (o->points.empty()) o->points.push_back({x, y});
      else o->line_to({x, y});
    },
    [](fz_context*, void* arg, float, float, float, float, float x, float y) {
      auto* o = static_cast<PathOutline*>(arg);
      o->curved = true;
      o->points.push_back({x, y});
    },
    [](fz_context*, void* arg) {
      auto* o = static_cast<PathOutline*>(arg);
      if (o->points.size() > o->subpath_start + 1) o->segments.emplace_back(o->points.size() - 1, o->subpath_start);
    },
    nullptr, nullptr, nullptr,
    [](fz_context*, void* arg, float x1, float y1, float x2, float y2) {
      auto* o = static_cast<PathOutline*>(arg);
      ++o->subpaths;
      const size_t first = o->points.size();
      o->points.insert(o->points.end(), {{x1, y1}, {x2, y1}, {x2, y2}, {x1, y2}});
      for (size_t k = 0; k < 4; ++k) o->segments.emplace_back(first + k, first + (k + 1) % 4);
      o->subpath_start = first;
    },
};

// How a path is filled, read only for a filled square of a checkbox's size.
struct Fill {
  fz_colorspace* space;
  const float* colour;
  float alpha;
  fz_color_params params;
};

// A dark, opaque fill is a mark on the page (a chosen option's box), not a background.
bool is_dark(fz_context* ctx, const Fill& fill) {
  if (!fill.space || !fill.colour || fill.alpha <= 0.5f) return false;
  float grey = 1;
  fz_convert_color(ctx, fill.space, fill.colour, fz_device_gray(ctx), &grey, nullptr, fill.params);
  return grey < 0.5f;
}

// `fill` is null for a stroked path.
void collect_path(fz_context* ctx, fz_device* dev, const fz_path* path, fz_matrix ctm, const Fill* fill) {
  const auto* collector = reinterpret_cast<PathCollector*>(dev);
  PathOutline outline;
  fz_walk_path(ctx, path, &kOutlineWalker, &outline);
  if (outline.points.empty()) return;
  fz_rect bounds = fz_empty_rect;
  for (fz_point& p : outline.points) {
    p = fz_transform_point(p, ctm);
    bounds = fz_include_point_in_rect(bounds, p);
  }
  const Box box = page_box(bounds, collector->origin.x, collector->origin.y);
  collector->drawn->boxes.push_back(box);
  // Rules: a stroke's straight pieces along x or y, or a bar filled thin (tables drawn as cells'
  // edges or as thin rectangles). A checkbox's sides are none.
  constexpr float kThickestRule = 3, kSlant = 0.5f;
  if (fill && std::min(box.width(), box.height()) <= kThickestRule) {
    collector->drawn->rules.push_back(box);
  } else if (!fill && !is_checkbox_side(box)) {
    for (const auto& [from, to] : outline.segments) {
      const fz_point a = outline.points[from], b = outline.points[to];
      if (std::abs(a.x - b.x) < kSlant || std::abs(a.y - b.y) < kSlant) {
        collector->drawn->rules.push_back(page_box(fz_include_point_in_rect(fz_rect{a.x, a.y, a.x, a.y}, b),
                                                   collector->origin.x, collector->origin.y));
      }
    }
  }
  if (std::max(box.width(), box.height()) > 24) return;  // larger than any checkbox or tick
  auto& points = outline.points;
  if (points.size() == 5 && std::abs(points[4].x - points[0].x) < 0.5 && std::abs(points[4].y - points[0].y) < 0.5) {
    points.pop_back();  // closed by a line back to the start
  }
  bool rectangle = outline.subpaths == 1 && !outline.curved && points.size() == 4;
  for (size_t i = 0; rectangle && i < 4; ++i) {
    const fz_point a = points[i], b = points[(i + 1) % 4];
    rectangle = std::abs(a.x - b.x) < 0.5 || std::abs(a.y - b.y) < 0.5;
  }
  if (!rectangle) {
    collector->drawn->shapes.marks.push_back(box);
  } else if (!fill) {
    collector->drawn->shapes.squares.push_back(box);
  } else if (is_dark(ctx, *fill)) {
    collector->drawn->shapes.dark_squares.push_back(box);
  }
}

// What the page draws with paths; nothing when the page cannot be run again.
PathsDrawn collect_paths(fz_context* ctx, fz_page* page, const fz_rect& bounds, fz_cookie* cookie) {
  PathsDrawn drawn;
  fz_device* dev = nullptr;
  fz_var(dev);
  fz_try(ctx) {
    auto* collector = fz_new_derived_device(ctx, PathCollector);
    dev = &collector->super;
    collector->drawn = &drawn;
    collector->origin = {bounds.x0, bounds.y0};
    dev->fill_path = [](fz_context* c, fz_device* d, const fz_path* path, int, fz_matrix ctm, fz_colorspace* space,
                        const float* colour, float alpha, fz_color_params params) {
      const Fill fill{space, colour, alpha, params};
      collect_path(c, d, path, ctm, &fill);
    };
    dev->stroke_path = [](fz_context* c, fz_device* d, const fz_path* path, const fz_stroke_state*, fz_matrix ctm,
                          fz_colorspace*, const float*, float, fz_color_params) {
      collect_path(c, d, path, ctm, nullptr);
    };
    // A tick set in a dingbat font inside a box (form fields' "On" appearance) maps to no
    // character worth keeping (MuPDF gives ZapfDingbats' check a control code): a mark too.
    dev->fill_text = [](fz_context* c, fz_device* d, const fz_text* text, fz_matrix ctm, fz_colorspace*, const float*,
                        float, fz_color_params) {
      if (!text->head) return;
      for (const fz_text_span* span = text->head; span; span = span->next) {
        const std::string font = fz_font_name(c, span->font);
        if (font.find("Dingbat") == std::string::npos && font.find("Wingding") == std::string::npos) return;
      }
      const auto* collector = reinterpret_cast<PathCollector*>(d);
      const Box box = page_box(fz_bound_text(c, text, nullptr, ctm), collector->origin.x, collector->origin.y);
      if (std::max(box.width(), box.height()) <= 24) collector->drawn->shapes.marks.push_back(box);
    };
    fz_run_page(ctx, page, dev, fz_identity, cookie);
    fz_close_device(ctx, dev);
  }
  fz_always(ctx) { fz_drop_device(ctx, dev); }
  fz_catch(ctx) { drawn = {}; }
  return drawn;
}

// Paths drawn close together (within ~4 pt) make one drawing: boxes of the clusters of six paths or
// more. Found on a grid of 2-pt cells, so that a page of many thousand paths costs no pairwise
// comparison.
// Paths spanning much of the page (backgrounds, frames, rules under a footer) are left out: they
// would join a logo to the text beside it. Three or more of the same span are kept: a chart's
// gridlines and its plot area, without which its bars stay apart.
std::vector<Box> drawing_clusters(const std::vector<Box>& paths, double width, double height) {
  constexpr size_t kLeast = 6;
  if (paths.size() < kLeast || width <= 0 || height <= 0) return {};
  const auto wide_across = [&](const Box& b) { return b.width() > 0.4 * width; };
  const auto wide_down = [&](const Box& b) { return b.height() > 0.4 * height; };
  // Spans rounded to whole points, counted across (left, right) and down (top, bottom).
  std::map<std::tuple<bool, long, long>, int> spans;
  const auto span_of = [&](const Box& b) {
    return wide_across(b) ? std::tuple{true, std::lround(b.l), std::lround(b.r)} : std::tuple{false, std::lround(b.t), std::lround(b.b)};
  };
  for (const Box& b : paths) {
    if (wide_across(b) || wide_down(b)) ++spans[span_of(b)];
  }
  const auto left_out = [&](const Box& b) {
    if (!wide_across(b) && !wide_down(b)) return false;
    return b.width() > 0.9 * width || b.height() > 0.9 * height || spans[span_of(b)] < 3;
  };
  // A poster-sized page gets coarser cells: the grid stays within 2,000 cells a side.
  const double pitch = std::max(2.0, std::max(width, height) / 2000);
  const int cols = static_cast<int>(std::ceil(width / pitch)), rows = static_cast<int>(std::ceil(height / pitch));
  const auto cell = [&](double v, int n) { return std::clamp(static_cast<int>(v / pitch), 0, n - 1); };
  cv::Mat grid(rows, cols, CV_8U, cv::Scalar(0));
  std::vector<const Box*> kept;
  for (const Box& b : paths) {
    if (left_out(b)) continue;
    if (b.r < 0 || b.b < 0 || b.l > width || b.t > height) continue;
    grid(cv::Rect(cv::Point(cell(b.l, cols), cell(b.t, rows)), cv::Point(cell(b.r, cols) + 1, cell(b.b, rows) + 1))).setTo(1);
    kept.push_back(&b);
  }
  cv::dilate(grid, grid, cv::Mat::ones(3, 3, CV_8U));
  cv::Mat labels;
  const int count = cv::connectedComponents(grid, labels, 8, CV_32S);
  std::vector<Box> unions(static_cast<size_t>(count));
  std::vector<size_t> members(static_cast<size_t>(count), 0);
  for (const Box* b : kept) {
    const int label = labels.at<int>(cell((b->t + b->b) / 2, rows), cell((b->l + b->r) / 2, cols));
    unions[label] = members[label]++ ? unite(unions[label], *b) : *b;
  }
  std::vector<Box> clusters;
  for (int label = 1; label < count; ++label) {
    if (members[label] >= kLeast) clusters.push_back(unions[label]);
  }
  return clusters;
}

// A WebP's canvas in pixels, from the header of its first chunk (lossy VP8, lossless VP8L or the
// extended VP8X); 0 x 0 when the header is none of these or cut short.
cv::Size webp_canvas(std::string_view bytes) {
  auto byte = [&](size_t i) { return i < bytes.size() ? static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) : 0u; };
  auto little = [&](size_t at, int count) {
    unsigned value = 0;
    for (int i = count - 1; i >= 0; --i) value = value << 8 | byte(at + static_cast<size_t>(i));
    return value;
  };
  if (bytes.size() < 30) return {};
  const std::string_view chunk = bytes.substr(12, 4);
  if (chunk == "VP8 " && byte(23) == 0x9d && byte(24) == 0x01 && byte(25) == 0x2a) {
    return {static_cast<int>(little(26, 2) & 0x3fff), static_cast<int>(little(28, 2) & 0x3fff)};
  }
  if (chunk == "VP8L" && byte(20) == 0x2f) {
    const unsigned bits = little(21, 4);
    return {static_cast<int>((bits & 0x3fff) + 1), static_cast<int>((bits >> 14 & 0x3fff) + 1)};
  }
  if (chunk == "VP8X") return {static_cast<int>(little(24, 3) + 1), static_cast<int>(little(27, 3) + 1)};
  return {};
}

// MuPDF reads no WebP: OpenCV decodes it and it reaches MuPDF as a PNG (lossless, so the pixels
// are the file's; transparency lies on white paper). The canvas is checked against the budget's
// largest block first, as MuPDF checks the images it decodes.
std::string webp_as_png(const Input& input, size_t max_block) {
  std::string read;
  if (!input.bytes) {
    std::ifstream file(input.path, std::ios::binary);
    read.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    if (!file) throw PdfError("cannot read file: " + std::string(std::strerror(errno)));
  }
  const std::string& bytes = input.bytes ? *input.bytes : read;
  const cv::Size canvas = webp_canvas(bytes);
  if (canvas.empty()) throw PdfError("cannot open webp: unknown or truncated header");
  const double max_pixels = static_cast<double>(max_block) / 4;
  if (static_cast<double>(canvas.area()) > max_pixels) {
    throw PdfError("cannot open webp: " + std::to_string(canvas.width) + " x " + std::to_string(canvas.height) +
                   " px is over the " + std::to_string(static_cast<long long>(max_pixels / 1e6)) +
                   "-megapixel limit (--memory-limit / 4)");
  }
  cv::Mat image;
  try {
    image = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data())),
                         cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception&) {
    image.release();
  }
  if (image.empty()) throw PdfError("cannot open webp: the image data is corrupt");
  if (image.channels() == 4) {
    cv::Mat colour, alpha, weight, rest;
    cv::cvtColor(image, colour, cv::COLOR_BGRA2BGR);
    cv::extractChannel(image, alpha, 3);
    alpha.convertTo(weight, CV_32F, 1.0 / 255);
    cv::subtract(cv::Scalar::all(1.0), weight, rest);
    cv::blendLinear(colour, cv::Mat(colour.size(), CV_8UC3, cv::Scalar::all(255)), weight, rest, image);
  }
  std::vector<unsigned char> png;
  cv::imencode(".png", image, png, {cv::IMWRITE_PNG_COMPRESSION, 1});
  return {png.begin(), png.end()};
}

std::string read_head(const Input& input) {
  if (input.bytes) return input.bytes->substr(0, 1024);
  std::ifstream file(input.path, std::ios::binary);
  if (!file) throw PdfError("cannot read file: " + std::string(std::strerror(errno)));
  std::string head(1024, '\0');
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(file.gcount()));
  return head;
}

}  // namespace

std::string sniff_format(const std::string& head) {
  auto starts = [&](std::string_view magic) { return head.rfind(magic, 0) == 0; };
  if (head.find("%PDF-") != std::string::npos) return "pdf";
  if (starts("\x89PNG\r\n\x1a\n")) return "png";
  if (starts("\xFF\xD8\xFF")) return "jpg";
  if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) return "tiff";
  if (starts("BM")) return "bmp";
  if (starts("GIF8")) return "gif";
  if (starts("RIFF") && head.size() >= 12 && head.compare(8, 4, "WEBP") == 0) return "webp";
  return "";
}

MupdfEngine::MupdfEngine(size_t memory_limit_bytes) : locks_(new std::mutex[FZ_LOCK_MAX]) {
  budget_.limit = memory_limit_bytes;
  budget_.max_block = memory_limit_bytes / 4;
  fz_locks_context locks{locks_.get(), lock_fn, unlock_fn};
  fz_alloc_context alloc{&budget_, budget_malloc, budget_realloc, budget_free};
  // The resource cache takes at most a quarter of the budget.
  base_ = fz_new_context(&alloc, &locks, std::min<size_t>(FZ_STORE_DEFAULT, memory_limit_bytes / 4));
  if (!base_) throw PdfError("cannot create MuPDF context");
  fz_set_warning_callback(base_, quiet_warning, nullptr);
  fz_set_error_callback(base_, quiet_error, nullptr);
  fz_try(base_) { fz_register_document_handlers(base_); }
  fz_catch(base_) {
    fz_drop_context(base_);
    base_ = nullptr;
  }
  if (!base_) throw PdfError("cannot register MuPDF document handlers");
}

MupdfEngine::~MupdfEngine() { fz_drop_context(base_); }

fz_context* MupdfEngine::clone() const {
  fz_context* ctx = fz_clone_context(base_);
  if (!ctx) throw PdfError("cannot clone MuPDF context (out of memory)");
  return ctx;
}

PdfReader::PdfReader(const MupdfEngine& engine) : max_block_(engine.max_block()), ctx_(engine.clone()) {}

PdfReader::~PdfReader() {
  close();
  fz_drop_context(ctx_);
}

void PdfReader::close() {
  fz_drop_document(ctx_, doc_);
  doc_ = nullptr;
  identity_ = 0;
}

Input PdfReader::readable(const Input& input) const {
  const std::string head = read_head(input);
  if (head.empty()) throw PdfError("file is empty");
  const std::string format = sniff_format(head);
  if (format.empty()) throw PdfError("not a PDF or a supported image (PNG, JPEG, TIFF, BMP, GIF, WebP)");
  if (format != "webp") return input;
  return {input.path, std::make_shared<const std::string>(webp_as_png(input, max_block_))};
}

void PdfReader::open(const Input& given, const std::string& password, uint64_t identity) {
  if (doc_ && identity_ == identity) return;
  // Codec messages while opening are dropped here: load() decodes the same data and reports them
  // with the page.
  const CodecMessages reported_by_load;
  close();
  const Input input = readable(given);
  const std::string format = sniff_format(read_head(input));

  // MuPDF's image documents copy the stream's bytes when they open.
  const std::string* bytes = input.bytes.get();
  fz_stream* stream = nullptr;
  fz_document* doc = nullptr;
  std::string error;
  fz_var(bytes);
  fz_var(stream);
  fz_var(doc);
  fz_try(ctx_) {
    stream = bytes ? fz_open_memory(ctx_, reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size())
                   : fz_open_file(ctx_, input.path.c_str());
    doc = fz_open_document_with_stream(ctx_, format.c_str(), stream);
  }
  fz_always(ctx_) { fz_drop_stream(ctx_, stream); }
  fz_catch(ctx_) { error = fz_caught_message(ctx_); }
  if (!error.empty()) throw PdfError("cannot open " + format + ": " + error);

  if (fz_needs_password(ctx_, doc)) {
    const bool unlocked = !password.empty() && fz_authenticate_password(ctx_, doc, password.c_str());
    if (!unlocked) {
      fz_drop_document(ctx_, doc);
      throw PdfError(password.empty() ? "encrypted: a password is needed (--password)"
                                      : "encrypted: the password is wrong");
    }
  }
  doc_ = doc;
  identity_ = identity;
}

int PdfReader::page_count(std::stop_token stop) {
  const CodecMessages reported_by_load;
  int count = 0;
  std::string error;
  std::vector<pdf_obj*> pending;
  std::set<int> seen;
  fz_var(count);
  fz_try(ctx_) {
    count = fz_count_pages(ctx_, doc_);
    pdf_document* pdf = pdf_specifics(ctx_, doc_);
    // A tree with no reachable leaf still gets page 1 tried, so MuPDF's own message reports it.
    if (pdf && count > 0) {
      const int leaves = count_page_leaves(ctx_, pdf, count, stop, pending, seen);
      count = leaves < 0 ? -1 : std::max(1, leaves);
    }
  }
  fz_catch(ctx_) { error = fz_caught_message(ctx_); }
  if (!error.empty()) throw PdfError("cannot count pages: " + error);
  if (count < 0) throw PdfError("cancelled");
  return count;
}

const PageCheck& PdfReader::check_page(fz_page* page, int number) {
  if (checked_identity_ == identity_ && checked_number_ == number) return checked_;
  const std::stop_token stop = pipeline::current_call_stop();
  checked_ = preflight(ctx_, page, max_block_, stop);
  // A check cut short by a stop request found nothing yet: it is not remembered.
  checked_identity_ = stop.stop_requested() ? 0 : identity_;
  checked_number_ = number;
  return checked_;
}

bool PdfReader::was_repaired() {
  pdf_document* pdf = doc_ ? pdf_specifics(ctx_, doc_) : nullptr;
  return pdf && pdf_was_repaired(ctx_, pdf);
}

namespace {

// The 0-based page an outline entry points to, or -1. Its own fz_try: no C++ object may live in
// a frame MuPDF's error handling jumps over.
int outline_page(fz_context* ctx, fz_document* doc, fz_location location) {
  int number = -1;
  fz_var(number);
  fz_try(ctx) { number = location.page >= 0 ? fz_page_number_from_location(ctx, doc, location) : -1; }
  fz_catch(ctx) { number = -1; }
  return number;
}

void flatten_outline(fz_context* ctx, fz_document* doc, const fz_outline* node, int depth,
                     std::vector<OutlineEntry>& entries) {
  for (; node && entries.size() < PdfReader::kMostOutlineEntries; node = node->next) {
    std::string title = node->title ? normalize_space(node->title) : "";
    if (!title.empty()) {
      OutlineEntry entry{std::move(title), depth, 0, -1};
      if (const int page = outline_page(ctx, doc, node->page); page >= 0) {
        entry.page = page + 1;
        if (std::isfinite(node->y) && node->y > 0) entry.top = node->y;
      }
      entries.push_back(std::move(entry));
    }
    if (depth + 1 < PdfReader::kMostOutlineDepth) flatten_outline(ctx, doc, node->down, depth + 1, entries);
  }
}

}  // namespace

std::vector<OutlineEntry> PdfReader::outline() {
  std::vector<OutlineEntry> entries;
  if (!doc_) return entries;
  const CodecMessages reported_by_load;
  fz_outline* root = nullptr;
  fz_var(root);
  fz_try(ctx_) { root = fz_load_outline(ctx_, doc_); }
  fz_catch(ctx_) { root = nullptr; }
  flatten_outline(ctx_, doc_, root, 0, entries);
  fz_drop_outline(ctx_, root);
  return entries;
}

void PdfReader::load(int number, const RenderRequest& request, Page& page) {
  const CodecMessages codec_messages;
  fz_page* fpage = nullptr;
  fz_stext_page* text = nullptr;
  fz_pixmap* pix = nullptr;
  fz_rect bounds{};
  double scale = request.dpi / 72.0;
  std::string error;
  fz_var(fpage);
  fz_var(text);
  fz_var(pix);
  fz_var(scale);
  fz_try(ctx_) {
    fpage = fz_load_page(ctx_, doc_, number - 1);
    bounds = fz_bound_page(ctx_, fpage);
  }
  fz_catch(ctx_) { error = fz_caught_message(ctx_); }
  if (const double w = bounds.x1 - bounds.x0, h = bounds.y1 - bounds.y0; w > 0 && h > 0) {
    const double for_width = request.min_width / w, for_height = request.min_height / h;
    const double least = request.min_either_side ? std::min(for_width, for_height)
                                                 : std::max(for_width, for_height);
    // A few percent of upscaling (A4 and letter at 72 dpi) is harmless and keeps those rasters
    // as they always were.
    if (least > 1.15 * scale) scale = least;
  }
  AbortCookie cookie;
  // A decompression bomb fails the page before it is interpreted; an image too large to decode
  // within the budget is never drawn (text layer only), so it costs no decompression time.
  const std::string too_large = error.empty() ? check_page(fpage, number).no_draw : "";
  if (error.empty()) error = check_page(fpage, number).fail;
  // Text outside the page box is not content; image blocks tell scans from digital pages. An
  // image too broken to describe must not cost the text: retry without image blocks.
  std::string degraded = too_large;
  if (error.empty() && too_large.empty()) {
    text = extract_text(ctx_, fpage, bounds, FZ_STEXT_MEDIABOX_CLIP | FZ_STEXT_PRESERVE_IMAGES, cookie.get(), &degraded);
  }
  if (error.empty() && !text) text = extract_text(ctx_, fpage, bounds, FZ_STEXT_MEDIABOX_CLIP, cookie.get(), &error);
  // A page that looks scanned is drawn once, at the OCR resolution, and the raster shrunk from
  // that: drawing it twice would decode its (often 600-dpi) image twice. Only a scan held at the
  // OCR resolution or finer: a coarser one would be enlarged and shrunk again, which blurs the
  // raster the layout model sees (and decoding a small image twice costs little).
  double scan_scale = request.scan_dpi / 72.0;
  double scan_dpi = text ? scan_resolution(text, bounds) : 0;
  bool draw_for_ocr = error.empty() && request.render && too_large.empty() && text && request.scan_dpi > 0 &&
                      scan_dpi >= request.scan_dpi &&
                      capped_scale(bounds, scan_scale, request.max_pixels) > capped_scale(bounds, scale, request.max_pixels);
  fz_var(draw_for_ocr);
  fz_var(scan_scale);
  fz_var(scan_dpi);
  // A page whose drawing fails (an undecodable image) still has its text: degrade, do not fail.
  std::string render_error = too_large;
  if (error.empty() && request.render && too_large.empty()) {
    fz_try(ctx_) {
      pix = draw_for_ocr ? render_pixmap(ctx_, fpage, bounds, &scan_scale, request.max_pixels, cookie.get())
                         : render_pixmap(ctx_, fpage, bounds, &scale, request.max_pixels, cookie.get());
    }
    fz_catch(ctx_) { render_error = fz_caught_message(ctx_); }
  }
  if (pipeline::current_call_stop().stop_requested()) error = "aborted";

  if (error.empty()) {
    page.width = bounds.x1 - bounds.x0;
    page.height = bounds.y1 - bounds.y0;
    page.scan_dpi = scan_dpi;
    if (page.width <= 0 || page.height <= 0) error = "page has an empty page box";
  }
  if (error.empty()) {
    page.lines.clear();
    page.image_boxes.clear();
    int block_index = 0;
    std::vector<Glyph> glyphs;
    const std::set<fz_font*> fixed_pitch = fonts_of_fixed_pitch(text);
    const std::set<const fz_stext_line*> overdrawn = overdrawn_lines(text);
    std::vector<Box> unmapped_glyphs;
    std::map<fz_font*, SymbolFace> symbol_faces;
    for (fz_stext_block* block = text->first_block; block; block = block->next, ++block_index) {
      if (block->type == FZ_STEXT_BLOCK_IMAGE) {
        const fz_rect& r = block->bbox;
        page.image_boxes.push_back(page_box(r, bounds.x0, bounds.y0));
        continue;
      }
      for (fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
        if (overdrawn.contains(line)) continue;
        glyphs.clear();
        for (fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
          auto face = symbol_faces.find(ch->font);
          if (face == symbol_faces.end()) face = symbol_faces.emplace(ch->font, symbol_face(ch->font ? fz_font_name(ctx_, ch->font) : "")).first;
          const char32_t c = symbol_character(face->second, static_cast<char32_t>(ch->c));
          const Box box = quad_box(ch->quad, bounds.x0, bounds.y0);
          // A ToUnicode entry of a UTF-16 surrogate pair (a mathematical letter, say) comes as
          // its two halves: they are one character. A half alone is none.
          if (is_low_surrogate(c) && !glyphs.empty() && is_high_surrogate(glyphs.back().c)) {
            glyphs.back().c = 0x10000 + ((glyphs.back().c - 0xD800) << 10) + (c - 0xDC00);
            glyphs.back().box = unite(glyphs.back().box, box);
            continue;
          }
          glyphs.push_back({c, box, ch->size, ch->font});
        }
        // A C1 control code is a font's own code passed through as if it were a character (a
        // subset's checkbox given as U+0084): it maps to nothing a reader could use.
        for (Glyph& g : glyphs) {
          if (is_high_surrogate(g.c) || is_low_surrogate(g.c) || (g.c >= 0x7F && g.c < 0xA0)) g.c = 0xFFFD;
        }
        // A line of glyphs that mostly map to no character (a font without its Unicode table)
        // holds nothing to read: its glyphs count as drawn marks, so that a block of such lines
        // is a picture (as docling shows it), not a list of empty items.
        const auto unmapped = std::count_if(glyphs.begin(), glyphs.end(), [](const Glyph& g) { return g.c == 0xFFFD; });
        if (unmapped >= 3 && unmapped * 2 >= std::count_if(glyphs.begin(), glyphs.end(), [](const Glyph& g) { return !is_space(g.c); })) {
          for (const Glyph& g : glyphs) unmapped_glyphs.push_back(g.box);
          continue;
        }
        TextLine made = make_line(ctx_, glyphs, block_index, fixed_pitch);
        made.slanted = std::abs(line->dir.x) > 0.2f && std::abs(line->dir.y) > 0.2f;
        if (std::abs(line->dir.y) > 0.9f) made.sideways = line->dir.y > 0 ? 1 : -1;
        if (!made.words.empty()) page.lines.push_back(std::move(made));
      }
    }
    page.drawing_boxes.clear();
    page.frames.clear();
    page.drawn_rules.clear();
    if (!draw_for_ocr) {
      PathsDrawn drawn = collect_paths(ctx_, fpage, bounds, cookie.get());
      place_drawn_checkboxes(page.lines, drawn.shapes);
      drawn.boxes.insert(drawn.boxes.end(), unmapped_glyphs.begin(), unmapped_glyphs.end());
      page.drawing_boxes = drawing_clusters(drawn.boxes, bounds.x1 - bounds.x0, bounds.y1 - bounds.y0);
      // A digital page's ruled rectangles other than a table's rows are no frames: the rounded
      // panels, callouts and photo borders of a brochure would cut its reading order into pieces.
      page.frames = find_ruled_layout(drawn.rules, bounds.x1 - bounds.x0, bounds.y1 - bounds.y0).grid_rows;
      page.drawn_rules = std::move(drawn.rules);
    }
    page.ocr_raster.release();
    if (pix && draw_for_ocr) {
      page.ocr_raster = to_mat(ctx_, pix);
      page.ocr_scale = scan_scale;
      scale = capped_scale(bounds, scale, request.max_pixels);
      const fz_irect size = pixel_bounds(bounds, scale);
      cv::resize(page.ocr_raster, page.raster, cv::Size(size.x1 - size.x0, size.y1 - size.y0), 0, 0, cv::INTER_AREA);
      page.raster_scale = scale;
    } else if (pix) {
      page.raster = to_mat(ctx_, pix);
      page.raster_scale = scale;
    }
    page.warning.clear();
    if (!degraded.empty()) page.warning = "images skipped (" + degraded + ")";
    if (!render_error.empty()) page.warning = "could not render (" + render_error + "): text layer only";
    if (const std::string codecs = codec_messages.summary(); !codecs.empty()) {
      page.warning += (page.warning.empty() ? "" : "; ") + codecs;
    }
  }
  fz_drop_pixmap(ctx_, pix);
  fz_drop_stext_page(ctx_, text);
  fz_drop_page(ctx_, fpage);
  if (!error.empty()) throw PdfError(error);
}

cv::Mat PdfReader::render(int number, double dpi, long long max_pixels, double* scale_out) {
  const CodecMessages reported_by_load;  // the same page's load() reported them
  fz_page* fpage = nullptr;
  fz_pixmap* pix = nullptr;
  double scale = dpi / 72.0;
  std::string error;
  AbortCookie cookie;
  fz_var(fpage);
  fz_var(pix);
  fz_var(scale);
  fz_try(ctx_) { fpage = fz_load_page(ctx_, doc_, number - 1); }
  fz_catch(ctx_) { error = fz_caught_message(ctx_); }
  if (error.empty()) {
    const PageCheck& checked = check_page(fpage, number);
    error = checked.fail.empty() ? checked.no_draw : checked.fail;
  }
  if (error.empty()) {
    fz_try(ctx_) { pix = render_pixmap(ctx_, fpage, fz_bound_page(ctx_, fpage), &scale, max_pixels, cookie.get()); }
    fz_catch(ctx_) { error = fz_caught_message(ctx_); }
  }
  if (pipeline::current_call_stop().stop_requested()) error = "aborted";
  cv::Mat out;
  if (error.empty()) out = to_mat(ctx_, pix);
  fz_drop_pixmap(ctx_, pix);
  fz_drop_page(ctx_, fpage);
  if (!error.empty()) throw PdfError(error);
  *scale_out = scale;
  return out;
}

}  // namespace pageflow::pdf
