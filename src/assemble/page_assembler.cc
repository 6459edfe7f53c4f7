#include "assemble/page_assembler.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <regex>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "core/checkboxes.h"
#include "core/statistics.h"
#include "core/text.h"

namespace pageflow {

namespace {

// A region of the page with the text lines it owns.
struct Zone {
  Label label = Label::text;
  Box box;
  float score = 0;
  std::vector<size_t> lines;
};

// The smallest of the page's ruled frames larger than `larger_than` that holds `box` (four fifths
// of it), or -1.
int frame_of(const std::vector<Box>& frames, const Box& box, double larger_than = 0) {
  int best = -1;
  for (size_t f = 0; f < frames.size(); ++f) {
    if (frames[f].area() <= larger_than || box.area() <= 0 || intersection(frames[f], box) < 0.8 * box.area()) continue;
    if (best < 0 || frames[f].area() < frames[static_cast<size_t>(best)].area()) best = static_cast<int>(f);
  }
  return best;
}

bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF);
}

bool text_like(Label l) {
  return l != Label::picture && l != Label::table;
}

// A form's row of options ("Label ☐ Yes ☒ No"): each box glyph inside a line opens a line of its
// own with the words after it, so that every option is an item of its own, as docling writes
// them. A line that ends with a box sets its boxes after their labels: it stays whole.
void split_lines_at_boxes(std::vector<TextLine>& lines) {
  std::vector<TextLine> out;
  for (TextLine& line : lines) {
    const auto& words = line.words;
    const bool boxes_lead = !words.empty() && checkbox_state(words.back().text) == CheckboxState::none &&
                            std::any_of(words.begin() + 1, words.end(), [](const Word& w) {
                              return checkbox_state(w.text) != CheckboxState::none;
                            });
    if (!boxes_lead) {
      out.push_back(std::move(line));
      continue;
    }
    TextLine part = line;
    part.words.clear();
    for (const Word& w : words) {
      if (!part.words.empty() && checkbox_state(w.text) != CheckboxState::none) {
        join_words(part);
        out.push_back(part);
        part.words.clear();
      }
      part.box = part.words.empty() ? w.box : unite(part.box, w.box);
      part.words.push_back(w);
    }
    join_words(part);
    out.push_back(std::move(part));
  }
  lines = std::move(out);
}

// Detector regions, strongest first, without near-duplicates (the detector often proposes the
// same block under two classes).
std::vector<Zone> zones_from_regions(const std::vector<Region>& regions) {
  std::vector<Region> sorted = regions;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Region& a, const Region& b) { return a.score > b.score; });
  std::vector<Zone> zones;
  for (const auto& r : sorted) {
    const bool duplicate = std::any_of(zones.begin(), zones.end(), [&](const Zone& z) {
      const double smaller = std::min(z.box.area(), r.box.area());
      return smaller > 0 && intersection(z.box, r.box) > 0.7 * smaller &&
             text_like(z.label) == text_like(r.label);
    });
    if (!duplicate) zones.push_back({r.label, r.box, r.score, {}});
  }
  return zones;
}

// Each line goes to the zone covering most of it (the smaller zone on a tie: it is the more
// specific one); returns the lines no zone covers by half.
std::vector<size_t> assign_lines(const std::vector<TextLine>& lines, std::vector<Zone>& zones) {
  std::vector<size_t> orphans;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Box& lb = lines[i].box;
    const double area = std::max(lb.area(), 1e-6);
    int best = -1;
    double best_cover = 0.5;
    for (size_t z = 0; z < zones.size(); ++z) {
      const double cover = intersection(lb, zones[z].box) / area;
      if (cover > best_cover + 1e-9 ||
          (best >= 0 && std::abs(cover - best_cover) < 1e-9 && zones[z].box.area() < zones[best].box.area())) {
        best = static_cast<int>(z);
        best_cover = cover;
      }
    }
    if (best >= 0) {
      zones[best].lines.push_back(i);
    } else {
      orphans.push_back(i);
    }
  }
  return orphans;
}

bool mostly_rtl(const std::vector<TextLine>& lines, const std::vector<size_t>& ids) {
  long balance = 0;
  for (size_t i : ids) balance += rtl_balance(lines[i].text);
  return balance > 0;
}

// Lines outside every region become text zones, one per block of the text layer (or of OCR's
// paragraph grouping), so nothing on the page is lost when the model misses a region. A line of
// vertical text outside every region is margin furniture (an arXiv stamp, a running spine), never
// body text.
void add_orphan_zones(const std::vector<TextLine>& lines, std::vector<size_t> orphans, const Page& page,
                      std::vector<Zone>& zones) {
  std::sort(orphans.begin(), orphans.end());
  // On a page of one column of text without the model's regions, MuPDF's blocks also break where
  // a line is placed on its own, inside a paragraph: a block whose first line continues the one
  // before (not indented from where that line's text starts, same type, no more than line
  // spacing between) joins its zone. An indented first line or a wider gap still starts a paragraph;
  // "wider" is measured against the page's own line spacing, the usual gap between a line and the
  // next, since paragraphs set apart by half a line would otherwise pass for one.
  // Elsewhere on a digital page (beside the model's regions, a drawing, a row of boxes) a producer
  // may place every line of a paragraph on its own too: there a block joins the zone of a line of
  // prose above it (six words at least) when its first line starts where that line starts (its
  // left, or its right in right-to-left script) with no more than line spacing between, so that
  // a lone short line (a label, a table's cell) never joins what it sits under, nor lines further
  // apart than twice their type's size (a paragraph's spacing is less: a diagram's labels, each
  // in its own shape, stand further apart).
  const bool one_column = page.regions.empty() && is_plain_text_page(page);
  const bool prose_only = !one_column && !page.needs_ocr;
  auto stacked_gap = [&](const TextLine& above, const TextLine& below) -> std::optional<double> {
    const double gap = below.box.t - above.box.b;
    const double height = std::min(below.box.height(), above.box.height());
    if (below.box.t <= above.box.t || gap >= 0.8 * height || std::abs(below.font_size - above.font_size) >= 0.5) {
      return std::nullopt;
    }
    if (prose_only) {
      const double offset = rtl_balance(above.text) > 0 ? above.box.r - below.box.r : below.box.l - above.box.l;
      if (above.words.size() < 6 || std::abs(offset) >= 0.5 * height ||
          below.box.t - above.box.t > 2 * std::max(above.font_size, below.font_size)) {
        return std::nullopt;
      }
    }
    return gap;
  };
  std::vector<double> line_gaps;
  for (size_t k = 1; (one_column || prose_only) && k < orphans.size(); ++k) {
    if (auto gap = stacked_gap(lines[orphans[k - 1]], lines[orphans[k]])) line_gaps.push_back(*gap);
  }
  const double usual_gap = median(line_gaps);
  // A block of OCR lines never runs across a frame's rule: what a frame holds is read apart.
  std::map<std::pair<int, int>, size_t> orphan_zone_of_block;
  const auto block_key = [&](const TextLine& line) { return std::pair(frame_of(page.frames, line.box), line.block); };
  const TextLine* previous = nullptr;
  for (size_t i : orphans) {
    const TextLine& line = lines[i];
    const Box& lb = line.box;
    if (looks_vertical(lb, line.text)) {
      zones.push_back({Label::page_header, lb, 0, {i}});
      continue;
    }
    auto [it, fresh] = orphan_zone_of_block.try_emplace(block_key(line), zones.size());
    if (fresh && (one_column || prose_only) && previous && !in_margin_band(lb, page.height) &&
        !in_margin_band(previous->box, page.height)) {
      const double height = std::min(lb.height(), previous->box.height());
      bool ordered = false;
      const bool item = list_marker_length(previous->text, &ordered) > 0 && previous->words.size() > 1;
      const double text_left = item ? previous->words[1].box.l : previous->box.l;
      const bool not_indented =
          rtl_balance(previous->text) > 0 ? lb.r > previous->box.r - 0.5 * height : lb.l < text_left + 0.5 * height;
      const auto gap = stacked_gap(*previous, line);
      const bool continues = not_indented && gap && *gap <= usual_gap + 0.3 * height;
      if (continues) it->second = orphan_zone_of_block.at(block_key(*previous));
      fresh = !continues;
    }
    if (fresh) {
      zones.push_back({Label::text, lb, 0, {}});
    } else {
      zones[it->second].box = unite(zones[it->second].box, lb);
    }
    zones[it->second].lines.push_back(i);
    previous = &line;
  }
}

// Whether `b` comes within `reach` of `a` on both axes.
bool within_reach(const Box& a, const Box& b, double reach) {
  return a.l - reach <= b.r && b.l <= a.r + reach && a.t - reach <= b.b && b.t <= a.b + reach;
}

// A chart the detector missed shows in its labels: text set at a slant (axis labels at 45°) is a
// figure's, never prose. Three slanted lines or more close together, with the short lines around
// and above them (tick values, an axis title, the chart's title: up to the first line of prose),
// make a picture, or widen the picture they touch; their text stays with it, as in any picture.
void add_chart_pictures(const std::vector<TextLine>& lines, std::vector<Zone>& zones, std::vector<size_t>& orphans) {
  std::vector<bool> in_figure(lines.size(), false);  // owned by a picture or table zone
  for (const Zone& z : zones) {
    if (z.label != Label::picture && z.label != Label::table) continue;
    for (size_t i : z.lines) in_figure[i] = true;
  }
  std::vector<size_t> slanted;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].slanted && !in_figure[i]) slanted.push_back(i);
  }
  if (slanted.size() < 3) return;
  std::sort(slanted.begin(), slanted.end(), [&](size_t a, size_t b) { return lines[a].box.t < lines[b].box.t; });
  struct Cluster {
    Box box;
    size_t members = 0;
    double size = 1;  // the largest type among them
  };
  std::vector<Cluster> clusters;
  for (size_t i : slanted) {
    const double size = std::max(1.0, lines[i].font_size);
    auto joined = std::find_if(clusters.begin(), clusters.end(), [&](const Cluster& c) { return within_reach(c.box, lines[i].box, 2 * size); });
    if (joined == clusters.end()) {
      clusters.push_back({lines[i].box, 1, size});
    } else {
      joined->box = unite(joined->box, lines[i].box);
      ++joined->members;
      joined->size = std::max(joined->size, size);
    }
  }
  for (const Cluster& cluster : clusters) {
    if (cluster.members < 3) continue;
    Box box = cluster.box;
    const double size = cluster.size;
    auto label_like = [&](const TextLine& l) { return l.words.size() <= 3 || l.text.size() <= 12; };
    for (bool grew = true; grew;) {
      grew = false;
      for (size_t i = 0; i < lines.size(); ++i) {
        const Box& lb = lines[i].box;
        if (centre_inside(lb, box) || !label_like(lines[i]) || in_figure[i]) continue;
        const bool beside = lb.b >= box.t - 2 * size && lb.t <= box.b && lb.l <= box.r + 4 * size && lb.r >= box.l - 4 * size;
        if (beside) {
          box = unite(box, lb);
          grew = true;
        }
      }
    }
    // Slanted text over prose is a watermark, not a chart.
    const bool over_prose = std::any_of(lines.begin(), lines.end(), [&](const TextLine& l) {
      return centre_inside(l.box, box) && !l.slanted && !label_like(l);
    });
    if (over_prose) continue;
    auto picture = std::find_if(zones.begin(), zones.end(), [&](const Zone& z) {
      return z.label == Label::picture && intersection(z.box, box) > 0;
    });
    if (picture == zones.end()) {
      zones.push_back({Label::picture, box, 0, {}});
      picture = zones.end() - 1;
    } else {
      picture->box = unite(picture->box, box);
    }
    Zone& chart = *picture;
    auto take_into_chart = [&](size_t i) {
      if (!centre_inside(lines[i].box, chart.box)) return false;
      chart.lines.push_back(i);
      in_figure[i] = true;
      return true;
    };
    for (auto& z : zones) {
      if (&z != &chart && text_like(z.label)) std::erase_if(z.lines, take_into_chart);
    }
    std::erase_if(orphans, take_into_chart);
  }
}

// Images the PDF draws, and drawings it makes of paths, where the detector saw no picture or table
// are pictures (logos, emblems, small photos: the bundled model was trained on papers), unless
// text is set over them (a coloured band behind a heading, a table's rules) or they are too small
// to be more than a glyph or a rule. A page-sized image is a background or a scan, never a figure.
void add_unclaimed_images(const Page& page, const std::vector<TextLine>& lines, std::vector<Zone>& zones) {
  const Box sheet{0, 0, page.width, page.height};
  std::vector<Box> drawings = page.image_boxes;
  drawings.insert(drawings.end(), page.drawing_boxes.begin(), page.drawing_boxes.end());
  for (const Box& drawn : drawings) {
    const Box image{std::max(drawn.l, 0.0), std::max(drawn.t, 0.0), std::min(drawn.r, page.width),
                    std::min(drawn.b, page.height)};
    const bool glyph_or_rule = image.width() < 16 || image.height() < 16 || image.area() < 900;  // 30 x 30 pt
    if (glyph_or_rule || image.area() > 0.5 * sheet.area()) continue;
    const bool claimed = std::any_of(zones.begin(), zones.end(), [&](const Zone& z) {
      return !text_like(z.label) && intersection(z.box, image) > 0.3 * image.area();
    });
    const bool under_text = std::any_of(lines.begin(), lines.end(), [&](const TextLine& line) {
      return intersection(line.box, image) > 0.3 * line.box.area();
    });
    if (!claimed && !under_text) zones.push_back({Label::picture, image, 0, {}});
  }
}

// A chart drawn as paths keeps its labels: tick values, category names and the legend set just
// outside the plot, which the detector's box (or the paths' cluster) leaves out. A text zone joins
// the chart if it lies within two type sizes of it and each of its lines reads as labels: runs of
// at most three words, each no wider than eight type sizes, between gaps wider than a type size.
// Only vector drawings of some size with three tick values or more beside them count: a photo's,
// a logo's or a technical drawing's neighbours are prose, a list, a company name, a callout.
void take_chart_labels(const Page& page, const std::vector<TextLine>& lines, std::vector<Zone>& zones) {
  const auto labels_only = [&](const TextLine& line) {
    const double size = std::max(1.0, line.font_size);
    size_t words = 0;
    double left = 0;
    for (size_t w = 0; w < line.words.size(); ++w) {
      const Box& word = line.words[w].box;
      if (w == 0 || word.l - line.words[w - 1].box.r > size) {
        words = 0;
        left = word.l;
      }
      if (++words > 3 || word.r - left > 8 * size) return false;
    }
    return true;
  };
  static const std::regex tick_value(R"(^[-+−]?[$€£¥]?[0-9][0-9.,]*\s*[%kKMB]?$)");
  const double page_area = page.width * page.height;
  for (Zone& chart : zones) {
    if (chart.label != Label::picture || chart.box.area() < 0.02 * page_area) continue;
    const Box plot = chart.box;
    const bool drawn = std::any_of(page.drawing_boxes.begin(), page.drawing_boxes.end(),
                                   [&](const Box& d) { return intersection(d, plot) > 0.5 * plot.area(); });
    if (!drawn) continue;
    std::vector<Zone*> labels;
    size_t ticks = 0;
    for (Zone& z : zones) {
      if (z.label != Label::text || z.lines.empty()) continue;
      double size = 1;
      for (size_t i : z.lines) size = std::max(size, lines[i].font_size);
      if (!within_reach(plot, z.box, 2 * size) || !std::all_of(z.lines.begin(), z.lines.end(), [&](size_t i) { return labels_only(lines[i]); })) continue;
      labels.push_back(&z);
      ticks += std::count_if(z.lines.begin(), z.lines.end(), [&](size_t i) { return std::regex_match(lines[i].text, tick_value); });
    }
    // An axis's values tell a chart from a drawing whose callouts and titles sit beside it.
    if (ticks < 3) continue;
    for (Zone* z : labels) {
      chart.box = unite(chart.box, z->box);
      chart.lines.insert(chart.lines.end(), z->lines.begin(), z->lines.end());
      z->lines.clear();
    }
  }
}

Box box_of_words(const std::vector<Word>& words) {
  Box box = words.front().box;
  for (const auto& w : words) box = unite(box, w.box);
  return box;
}

void dissolve(Zone& zone, std::vector<size_t>& orphans) {
  orphans.insert(orphans.end(), zone.lines.begin(), zone.lines.end());
  zone.lines.clear();
  zone.label = Label::text;  // owns nothing now: dropped with the other empty text zones
}

// A "table" whose grid would cut running text (tables stage) is read as text, paragraph by
// paragraph as the text layer groups it, so that no word is lost or split across cells.
void dissolve_prose_tables(const Page& page, std::vector<Zone>& zones, std::vector<size_t>& orphans) {
  for (auto& z : zones) {
    if (z.label == Label::table &&
        std::find(page.prose_regions.begin(), page.prose_regions.end(), z.box) != page.prose_regions.end()) {
      dissolve(z, orphans);
    }
  }
}

// A table's grid holds every word whose centre lies in its region (tables stage), including words
// of lines that mostly lie outside it and went to another zone: those words are taken out of
// such lines, so that every word of the page is written once.
void take_table_words_out(const Page& page, std::vector<Zone>& zones, std::vector<TextLine>& lines) {
  std::vector<Box> grids;
  for (const auto& z : zones) {
    const bool has_grid = std::any_of(page.tables.begin(), page.tables.end(),
                                      [&](const auto& table) { return table.first == z.box; });
    if (z.label == Label::table && has_grid) grids.push_back(z.box);
  }
  if (grids.empty()) return;
  for (auto& z : zones) {
    if (z.label == Label::table) continue;
    std::erase_if(z.lines, [&](size_t i) {
      TextLine& line = lines[i];
      const size_t before = line.words.size();
      std::erase_if(line.words, [&](const Word& w) {
        const double cx = (w.box.l + w.box.r) / 2, cy = (w.box.t + w.box.b) / 2;
        return std::any_of(grids.begin(), grids.end(),
                           [&](const Box& g) { return cx >= g.l && cx <= g.r && cy >= g.t && cy <= g.b; });
      });
      if (line.words.size() == before) return false;
      join_words(line);
      if (!line.words.empty()) line.box = box_of_words(line.words);
      return line.words.empty();
    });
  }
}

// A "picture" that holds running text (several lines of several words each, covering a fair part
// of it) or a listing (lines set in a monospaced font, four in five) is a misdetection, typically
// a text page, a table or code drawn as one block. Real figures carry a few short labels scattered
// over a mostly graphical area — or, in a diagram drawn with paths (a statement's clauses with
// callouts explaining each), much text: a picture mostly covered by drawn paths, with a "Figure N"
// caption against its top or bottom, stays a picture whatever it holds.
bool reads_as_text(const Zone& z, const std::vector<TextLine>& lines, const std::vector<Box>& drawings) {
  static const std::regex figure_caption(R"(^(Figure|Fig\.)\s*[0-9IVXivx]+)", std::regex::icase);
  if (z.lines.size() < 4) return false;
  double text_area = 0;
  size_t words = 0, chars = 0, monospaced = 0;
  for (size_t i : z.lines) {
    text_area += lines[i].box.area();
    words += lines[i].words.size();
    chars += lines[i].text.size();
    monospaced += lines[i].monospace;
  }
  const bool prose = words >= 4 * z.lines.size();
  const bool listing = monospaced * 5 >= z.lines.size() * 4;
  const bool text_heavy = chars >= 400;  // far more than a chart's labels
  const bool misread = ((prose || listing) && text_area > 0.15 * z.box.area()) || text_heavy;
  if (!misread) return false;
  const double drawn = std::accumulate(drawings.begin(), drawings.end(), 0.0,
                                       [&](double sum, const Box& d) { return sum + intersection(d, z.box); });
  const auto caption_against = [&](const TextLine& line) {
    const double reach = 3 * line.box.height();
    const bool against = (line.box.b > z.box.b && line.box.t <= z.box.b + reach) ||
                         (line.box.t < z.box.t && line.box.b >= z.box.t - reach);
    return against && line.box.l < z.box.r && line.box.r > z.box.l && std::regex_search(line.text, figure_caption);
  };
  const bool drawn_figure = drawn >= 0.5 * z.box.area() && std::any_of(lines.begin(), lines.end(), caption_against);
  return !drawn_figure;
}

// Pictures that read as text are dissolved: their lines are read as if no region had claimed
// them. The detector's less certain pictures inside one (Page::inner_pictures) then stand in for
// it, each taking back the lines it covers, and are tested the same way (each stands in once).
void dissolve_text_pictures(const std::vector<TextLine>& lines, const Page& page, std::vector<Zone>& zones,
                            std::vector<size_t>& orphans) {
  std::vector<bool> stood_in(page.inner_pictures.size(), false);
  for (size_t k = 0; k < zones.size(); ++k) {  // stand-ins are appended, and looked at in turn
    if (zones[k].label != Label::picture || !reads_as_text(zones[k], lines, page.drawing_boxes)) continue;
    const Box dissolved = zones[k].box;
    dissolve(zones[k], orphans);
    for (size_t p = 0; p < page.inner_pictures.size(); ++p) {
      const Box& inner = page.inner_pictures[p];
      if (stood_in[p] || intersection(inner, dissolved) < 0.9 * inner.area()) continue;
      stood_in[p] = true;
      // A doubtful box's edge may graze the text beside the figure: a line across its top or
      // bottom edge stays text, and the picture starts (or ends) past it.
      Zone stand_in{Label::picture, inner, 0, {}};
      Box& box = stand_in.box;
      for (size_t i : orphans) {
        const Box& lb = lines[i].box;
        if (lb.r <= box.l || lb.l >= box.r) continue;
        if (lb.t < box.t && lb.b > box.t) box.t = lb.b;
        if (lb.t < box.b && lb.b > box.b) box.b = lb.t;
      }
      if (box.height() <= 0) continue;
      std::erase_if(orphans, [&](size_t i) {
        const bool covered = intersection(lines[i].box, box) > 0.5 * lines[i].box.area();
        if (covered) stand_in.lines.push_back(i);
        return covered;
      });
      zones.push_back(std::move(stand_in));
    }
  }
}

// Lines of a zone in reading order: rows by vertical overlap; within a row left to right, or
// right to left for right-to-left script.
std::vector<size_t> order_lines(const std::vector<TextLine>& lines, std::vector<size_t> ids) {
  const bool rtl = mostly_rtl(lines, ids);
  std::stable_sort(ids.begin(), ids.end(), [&](size_t a, size_t b) {
    const Box &x = lines[a].box, &y = lines[b].box;
    const double overlap = std::min(x.b, y.b) - std::max(x.t, y.t);
    const double across = std::min(x.r, y.r) - std::max(x.l, y.l);
    // Lines of one row stand side by side; lines that also overlap across are stacked rows
    // whose boxes reach into each other (OCR boxes of close-set type). A slanted line's box
    // (a watermark's) spans rows it is not part of: it is ordered as before, by its left.
    const double half_line = 0.5 * std::min(x.height(), y.height());
    const bool stacked = across > half_line && !lines[a].slanted && !lines[b].slanted;
    if (overlap > half_line && !stacked) return rtl ? x.r > y.r : x.l < y.l;
    return x.t < y.t;
  });
  return ids;
}

// Splits `ids` into groups separated by gaps along one axis (0: x, columns; 1: y, rows). Boxes
// are shrunk a little so that detector boxes touching across a gutter do not hide it.
std::vector<std::vector<size_t>> cut(const std::vector<Box>& boxes, std::vector<size_t> ids, int axis) {
  auto lo = [&](size_t i) { return axis == 0 ? boxes[i].l + 1.5 : boxes[i].t + 1.0; };
  auto hi = [&](size_t i) { return axis == 0 ? boxes[i].r - 1.5 : boxes[i].b - 1.0; };
  std::stable_sort(ids.begin(), ids.end(), [&](size_t a, size_t b) { return lo(a) < lo(b); });
  std::vector<std::vector<size_t>> groups;
  double reach = -1e18;
  for (size_t i : ids) {
    if (groups.empty() || lo(i) > reach) groups.emplace_back();
    groups.back().push_back(i);
    reach = std::max(reach, hi(i));
  }
  return groups;
}

Box extent(const std::vector<Box>& boxes, const std::vector<size_t>& ids) {
  Box box = boxes[ids.front()];
  for (size_t i : ids) box = unite(box, boxes[i]);
  return box;
}

// Whether two bands of a page that share a gutter are one set of columns (`columns`: the two
// bands together cut at their gutters): in every column where both have blocks, the blocks all
// start where their counterparts start, or all end where they end (a list's items are indented
// a little; lines are ragged on one side). A row of centred author blocks above a two-column body
// shares the body's gutter, but its blocks stand inside the columns.
bool same_columns(const std::vector<Box>& boxes, const std::vector<std::vector<size_t>>& columns,
                  const std::vector<size_t>& upper) {
  const std::set<size_t> in_upper(upper.begin(), upper.end());
  bool starts_align = true, ends_align = true;
  for (const auto& column : columns) {
    std::vector<size_t> a, b;
    for (size_t i : column) (in_upper.count(i) ? a : b).push_back(i);
    if (a.empty() || b.empty()) continue;
    const Box upper_box = extent(boxes, a), lower_box = extent(boxes, b);
    const double tolerance = 0.1 * std::max(upper_box.width(), lower_box.width());
    starts_align = starts_align && std::abs(upper_box.l - lower_box.l) <= tolerance;
    ends_align = ends_align && std::abs(upper_box.r - lower_box.r) <= tolerance;
  }
  return starts_align || ends_align;
}

std::vector<size_t> top_down(const std::vector<Box>& boxes, std::vector<size_t> ids) {
  std::stable_sort(ids.begin(), ids.end(), [&](size_t a, size_t b) {
    return std::tie(boxes[a].t, boxes[a].l) < std::tie(boxes[b].t, boxes[b].l);
  });
  return ids;
}

// Reading order where no gutter or row runs clean through the boxes (a newspaper page: a headline
// over columns of unequal length, boxed ads between them): each box is read after the boxes
// straight above it, column by column. A box leads down to the boxes right under it (overlapping
// it across, nothing between); reading goes down the leftmost way first (the rightmost in
// right-to-left script), and before a box is read, whatever unread box lies above it is (its
// column's start, then down to it).
std::vector<size_t> flow_order(const std::vector<Box>& boxes, std::vector<size_t> ids, bool right_to_left) {
  // The links cost n^3 to find; a page with this many zones and no clean cut is read top down.
  constexpr size_t kMostLinkedZones = 150;
  const size_t n = ids.size();
  if (n > kMostLinkedZones) return top_down(boxes, std::move(ids));
  auto box = [&](size_t k) -> const Box& { return boxes[ids[k]]; };
  auto across = [&](size_t a, size_t b) { return std::min(box(a).r, box(b).r) > std::max(box(a).l, box(b).l); };
  auto above = [&](size_t a, size_t b) {
    return box(a).t < box(b).t && box(a).b <= box(b).t + 0.25 * std::min(box(a).height(), box(b).height());
  };
  auto interrupted = [&](size_t a, size_t b) {
    for (size_t c = 0; c < n; ++c) {
      if (c != a && c != b && (across(a, c) || across(c, b)) && above(a, c) && above(c, b)) return true;
    }
    return false;
  };
  std::vector<std::vector<size_t>> up(n), down(n);
  for (size_t b = 0; b < n; ++b) {
    for (size_t a = 0; a < n; ++a) {
      if (a == b || !across(a, b) || !above(a, b) || interrupted(a, b)) continue;
      up[b].push_back(a);
      down[a].push_back(b);
    }
  }
  const auto start = [&](size_t k) { return right_to_left ? -box(k).r : box(k).l; };
  const auto start_first = [&](size_t a, size_t b) {
    return std::pair(start(a), box(a).t) < std::pair(start(b), box(b).t);
  };
  for (auto& list : up) std::sort(list.begin(), list.end(), start_first);
  for (auto& list : down) std::sort(list.begin(), list.end(), start_first);
  std::vector<size_t> heads;
  for (size_t k = 0; k < n; ++k) {
    if (up[k].empty()) heads.push_back(k);
  }
  std::sort(heads.begin(), heads.end(), start_first);

  std::vector<bool> read(n, false);
  std::vector<size_t> order;
  const auto highest_unread = [&](size_t k) {
    for (bool climbed = true; climbed;) {
      climbed = false;
      for (size_t a : up[k]) {
        if (!read[a]) {
          k = a;
          climbed = true;
          break;
        }
      }
    }
    return k;
  };
  const auto take = [&](size_t k) {
    read[k] = true;
    order.push_back(ids[k]);
  };
  for (size_t head : heads) {
    if (read[head]) continue;
    take(head);
    std::vector<size_t> path{head};
    while (!path.empty()) {
      const size_t at = path.back();
      size_t next = n;
      for (size_t below : down[at]) {
        const size_t candidate = highest_unread(below);
        if (!read[candidate]) {
          next = candidate;
          break;
        }
      }
      if (next == n) {
        path.pop_back();
        continue;
      }
      take(next);
      path.push_back(next);
    }
  }
  return order;
}

// Recursive XY-cut: columns where a vertical gutter runs through the whole group; otherwise
// rows, but consecutive rows that share their columns are kept together so that a two-column
// body is read column by column rather than row by row. Where nothing cuts, a scan's boxes (made
// from its OCR lines: a newspaper's columns and ads) are read in their flow; a digital page's (the
// detector's regions over its text layer, overlapping where nothing cuts) top down, as docling
// reads them: on docling-parse's test PDFs the flow put a single-column page's list after the
// paragraphs below it.
std::vector<size_t> xy_cut(const std::vector<Box>& boxes, std::vector<size_t> ids, const ReadingStyle& style, int depth) {
  if (ids.size() <= 1 || depth > 64) return ids;
  std::vector<std::vector<size_t>> groups = cut(boxes, ids, 0);
  if (style.right_to_left) std::reverse(groups.begin(), groups.end());
  if (groups.size() < 2) {
    std::vector<std::vector<size_t>> rows;
    for (auto& row : cut(boxes, ids, 1)) {
      if (!rows.empty()) {
        std::vector<size_t> joined = rows.back();
        joined.insert(joined.end(), row.begin(), row.end());
        const auto columns = cut(boxes, joined, 0);
        if (cut(boxes, rows.back(), 0).size() >= 2 && columns.size() >= 2 &&
            same_columns(boxes, columns, rows.back())) {
          rows.back() = std::move(joined);
          continue;
        }
      }
      rows.push_back(std::move(row));
    }
    groups = std::move(rows);
  }
  if (groups.size() < 2) {
    return style.scanned ? flow_order(boxes, std::move(ids), style.right_to_left) : top_down(boxes, std::move(ids));
  }
  std::vector<size_t> out;
  for (auto& g : groups) {
    auto part = xy_cut(boxes, g, style, depth + 1);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

double median_height(const std::vector<TextLine>& lines, const std::vector<size_t>& ids) {
  std::vector<double> h;
  for (size_t i : ids) h.push_back(lines[i].box.height());
  return median(h);
}

// The paragraph's typography: the size, weight and slant covering most of its characters, and
// whether a line of it spans a gutter.
void set_typography(Block& block, const std::vector<TextLine>& lines, const std::vector<size_t>& ids) {
  std::map<double, size_t> size_votes;
  size_t bold_chars = 0, italic_chars = 0, chars = 0;
  for (size_t i : ids) {
    const size_t n = lines[i].text.size();
    size_votes[std::round(lines[i].font_size * 2) / 2] += n;
    chars += n;
    if (lines[i].bold) bold_chars += n;
    if (lines[i].italic) italic_chars += n;
    const auto& words = lines[i].words;
    const double gutter = 4 * std::max(1.0, lines[i].font_size);
    for (size_t k = 1; k < words.size() && !block.spans_gutter; ++k) {
      block.spans_gutter = std::max(words[k].box.l - words[k - 1].box.r, words[k - 1].box.l - words[k].box.r) >= gutter;
    }
  }
  if (size_votes.empty()) return;
  block.font_size = std::max_element(size_votes.begin(), size_votes.end(),
                                     [](auto& a, auto& b) { return a.second < b.second; })->first;
  block.bold = bold_chars * 2 > chars;
  block.italic = italic_chars * 2 > chars;
}

Box box_of(const std::vector<TextLine>& lines, const std::vector<size_t>& ids) {
  Box box = lines[ids.front()].box;
  for (size_t i : ids) box = unite(box, lines[i].box);
  return box;
}

Block make_block(Label label, const std::vector<TextLine>& lines, const std::vector<size_t>& ids,
                 int page_number) {
  Block block;
  block.element.label = label;
  block.element.page = page_number;
  std::vector<std::string> texts;
  bool ocr = false;
  float confidence = 1;
  for (size_t i : ids) {
    texts.push_back(lines[i].text);
    ocr |= lines[i].from_ocr;
    confidence = std::min(confidence, lines[i].confidence);
  }
  block.element.text = reflow(texts);
  block.element.box = box_of(lines, ids);
  block.element.from_ocr = ocr;
  block.element.confidence = confidence;
  set_typography(block, lines, ids);
  return block;
}

// Monospace text keeps its line breaks and indentation (in character cells from the left edge).
Block make_code_block(const std::vector<TextLine>& lines, const std::vector<size_t>& ids, int page_number) {
  Block block = make_block(Label::code, lines, ids, page_number);
  double left = lines[ids.front()].box.l;
  for (size_t i : ids) left = std::min(left, lines[i].box.l);
  std::string text;
  const TextLine* previous = nullptr;
  for (size_t i : ids) {
    const TextLine& line = lines[i];
    const double char_width = std::max(1.0, line.font_size * 0.6);
    if (previous && same_row(previous->box, line.box)) {
      const int gap = static_cast<int>(std::lround((line.box.l - previous->box.r) / char_width));
      text += std::string(static_cast<size_t>(std::clamp(gap, 1, 80)), ' ') + line.text;
    } else {
      const int indent = static_cast<int>(std::lround((line.box.l - left) / char_width));
      if (previous) text += '\n';
      text += std::string(static_cast<size_t>(std::clamp(indent, 0, 80)), ' ') + line.text;
    }
    previous = &line;
  }
  block.element.text = text;
  return block;
}

// The detector often boxes a code listing line by line: consecutive code blocks that follow each
// other closely are one listing.
void merge_code_blocks(std::vector<Block>& blocks) {
  std::vector<Block> merged;
  for (auto& b : blocks) {
    if (!merged.empty() && b.element.label == Label::code && merged.back().element.label == Label::code) {
      Element& into = merged.back().element;
      const double line = std::max(1.0, merged.back().font_size);
      if (b.element.box.t - into.box.b < 2.5 * line) {
        const double char_width = std::max(1.0, b.font_size * 0.6);
        const int indent = static_cast<int>(std::lround((b.element.box.l - into.box.l) / char_width));
        std::string text = b.element.text;
        if (indent > 0) {
          // Re-indent every line of the later block relative to the listing's left edge.
          std::string pad(static_cast<size_t>(std::min(indent, 80)), ' ');
          std::string shifted = pad;
          for (char c : text) {
            shifted += c;
            if (c == '\n') shifted += pad;
          }
          text = shifted;
        }
        into.text += "\n" + text;
        into.box = unite(into.box, b.element.box);
        continue;
      }
    }
    merged.push_back(std::move(b));
  }
  blocks = std::move(merged);
}

// A section number set apart from its heading on the same row ("1" in a margin box, then
// "Introduction") is part of the heading, not a paragraph (or a page number) of its own.
void attach_section_numbers(std::vector<Block>& blocks) {
  static const std::regex number(R"(^([0-9]{1,2}(\.[0-9]{1,2})*\.?|[IVX]{1,4}\.?)$)");
  std::vector<Block> out;
  for (size_t k = 0; k < blocks.size(); ++k) {
    Block& b = blocks[k];
    if (k + 1 < blocks.size() && text_like(b.element.label) && std::regex_match(b.element.text, number)) {
      Block& next = blocks[k + 1];
      const double size = std::max({1.0, b.font_size, next.font_size});
      const double gap = next.element.box.l - b.element.box.r;
      const Label l = next.element.label;
      const bool heading_or_text = l == Label::section_header || l == Label::title || l == Label::text;
      if (heading_or_text && same_row(b.element.box, next.element.box) && gap > 0 &&
          gap < 4 * size && split_words(next.element.text).size() <= 14) {
        next.element.text = b.element.text + " " + next.element.text;
        next.element.box = unite(b.element.box, next.element.box);
        continue;
      }
    }
    out.push_back(std::move(b));
  }
  blocks = std::move(out);
}

// The lines of a heading zone, with a running title or a footer the detector's box took in (a
// line in the margin band, half a line or more apart from the rest) as a part of its own, so that
// furniture detection sees it alone.
std::vector<std::vector<size_t>> heading_parts(const std::vector<TextLine>& lines, const std::vector<size_t>& ids,
                                               double page_height) {
  const double line_height = median_height(lines, ids);
  std::vector<std::vector<size_t>> parts;
  for (size_t k = 0; k < ids.size(); ++k) {
    const Box& box = lines[ids[k]].box;
    const Box* above = k > 0 ? &lines[ids[k - 1]].box : nullptr;
    const bool apart = above && !same_row(*above, box) && box.t - above->b >= 0.5 * line_height &&
                       in_margin_band(*above, page_height) != in_margin_band(box, page_height);
    if (parts.empty() || apart) parts.emplace_back();
    parts.back().push_back(ids[k]);
  }
  return parts;
}

// Splits lines of prose (in reading order) into paragraphs and list items.
void split_paragraphs(const std::vector<TextLine>& lines, const std::vector<size_t>& ids, int page_number,
                      std::vector<Block>& out) {
  const double line_height = median_height(lines, ids);
  // A paragraph break (or a heading above its paragraph, in OCR which gives no weights) shows as
  // more space than the zone's usual line spacing; the detector often boxes several paragraphs
  // set half a line apart as one region.
  double break_gap = 0.8 * line_height;
  if (ids.size() >= 3) {
    std::vector<double> gaps;
    for (size_t k = 1; k < ids.size(); ++k) {
      if (!same_row(lines[ids[k - 1]].box, lines[ids[k]].box)) gaps.push_back(lines[ids[k]].box.t - lines[ids[k - 1]].box.b);
    }
    if (!gaps.empty()) break_gap = std::min(break_gap, median(gaps) + 0.3 * line_height);
  }
  // Text set flush at a left edge most of its rows share marks a paragraph by indenting its first
  // line; the line before it, the last of the paragraph before, stops short of the right edge.
  // Both together, since a hanging indent (a reference list) indents the lines after a full one.
  double flush_left = 0, right_edge = 0;
  size_t rows = 0, rows_flush = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    right_edge = std::max(right_edge, lines[ids[k]].box.r);
    if (k > 0 && same_row(lines[ids[k - 1]].box, lines[ids[k]].box)) continue;
    ++rows;
    const double left = lines[ids[k]].box.l;
    const size_t sharing = static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [&](size_t i) {
      return std::abs(lines[i].box.l - left) < 0.3 * line_height;
    }));
    if (sharing > rows_flush || (sharing == rows_flush && left < flush_left)) {
      rows_flush = sharing;
      flush_left = left;
    }
  }
  const bool flush_set = rows_flush >= 3 && 2 * rows_flush >= rows;
  const auto indented_after_short_line = [&](const TextLine& previous, const TextLine& line) {
    const double indent = line.box.l - flush_left;
    return flush_set && indent > 0.6 * line_height && indent < 4 * line_height &&
           std::abs(previous.box.l - flush_left) < 0.3 * line_height && previous.box.r < right_edge - 1.5 * line_height;
  };
  std::vector<size_t> current;
  bool current_is_item = false, current_ordered = false;
  std::string current_marker;
  double item_text_left = 0, marker_left = 0;
  double leftmost_marker = 1e9;
  for (size_t i : ids) {
    bool ordered = false;
    if (list_marker_length(lines[i].text, &ordered) > 0) leftmost_marker = std::min(leftmost_marker, lines[i].box.l);
  }
  auto flush = [&] {
    if (current.empty()) return;
    Block block = make_block(current_is_item ? Label::list_item : Label::text, lines, current, page_number);
    if (current_is_item) {
      bool ordered = false;
      const size_t cut = list_marker_length(block.element.text, &ordered);
      block.element.text = normalize_space(block.element.text.substr(cut));
      if (const CheckboxState box = checkbox_state(current_marker); box != CheckboxState::none) {
        // A form's box with its label: docling's checkbox items, not a list.
        block.element.label = box == CheckboxState::ticked ? Label::checkbox_selected : Label::checkbox_unselected;
      } else {
        block.element.marker = current_marker;
        block.element.ordered = current_ordered;
        block.element.level = std::clamp(static_cast<int>(std::lround((marker_left - leftmost_marker) /
                                                                      std::max(8.0, 1.5 * line_height))),
                                         0, 6);
      }
    }
    out.push_back(std::move(block));
    current.clear();
  };
  const TextLine* previous = nullptr;
  for (size_t i : ids) {
    const TextLine& line = lines[i];
    bool ordered = false;
    const size_t marker = list_marker_length(line.text, &ordered);
    const double gap = previous ? line.box.t - previous->box.b : 0;
    const bool in_row = previous && same_row(previous->box, line.box);
    const std::string marker_text = marker > 0 ? normalize_space(line.text.substr(0, marker)) : "";
    // A box opens an option of its own even on its row (split_lines_at_boxes).
    const bool box = checkbox_state(marker_text) != CheckboxState::none;
    bool starts_new = previous == nullptr || (marker > 0 && (!in_row || box)) || gap > break_gap;
    if (previous && !in_row && !current_is_item && indented_after_short_line(*previous, line)) starts_new = true;
    // A bold line above regular text is a run-in heading of its own; so is a line in a size of
    // its own (a paragraph keeps one size).
    if (previous && !in_row && previous->bold != line.bold && !current_is_item) starts_new = true;
    // So is a line set all in italics over upright text, when it is the first of its block.
    if (previous && !in_row && previous->italic && !line.italic && current.size() == 1 && !current_is_item) starts_new = true;
    // OCR's sizes measured on the glyphs vary by a tenth between lines of one size.
    const bool sized = !line.from_ocr || (line.sized_from_ink && previous && previous->sized_from_ink);
    const double size_step = line.from_ocr ? 0.25 : 0.15;
    if (previous && !in_row && sized &&
        std::abs(line.font_size - previous->font_size) > size_step * std::max(line.font_size, previous->font_size)) {
      starts_new = true;
    }
    // A list item continues only on lines indented under its text, not back at the margin, unless
    // its sentence plainly wraps there: the line before runs to the right edge and this one goes
    // on in lower case or after a hyphen (a book's numbered paragraph, an item set without a
    // hanging indent); and not after a first line in capitals when it does not go on in capitals:
    // that line is a numbered section's title over its paragraph ("0. PREAMBLE", then "The
    // purpose of ...").
    const bool wraps = previous && previous->box.r >= right_edge - 1.5 * line_height &&
                       (starts_lower(line.text) || previous->text.ends_with('-'));
    if (current_is_item && marker == 0 && line.box.l < item_text_left - 0.5 * line_height && !wraps) starts_new = true;
    if (current_is_item && marker == 0 && !in_row && current.size() == 1 &&
        short_in_capitals(lines[current.front()].text) && !short_in_capitals(line.text)) {
      starts_new = true;
    }
    if (starts_new) {
      flush();
      current_is_item = marker > 0;
      current_ordered = ordered;
      current_marker = marker_text;
      marker_left = line.box.l;
      item_text_left = line.box.l;
      if (marker > 0 && line.words.size() > 1) item_text_left = line.words[1].box.l;
      if (marker > 0 && line.words.size() == 1) item_text_left = line.box.r;
    }
    current.push_back(i);
    previous = &line;
  }
  flush();
}

// Bullet glyphs, including symbol-font glyphs that PDFs map to control or private-use code points.
bool is_bullet(char32_t c) {
  return c == '-' || c == '*' || c == 0xB7 || c == 0x2010 || c == 0x2013 || c == 0x2014 || c == 0x2022 ||
         c == 0x2023 || c == 0x2043 || c == 0x2219 || c == 0x2756 || (c >= 0x25A0 && c <= 0x25FF) ||
         c == 0x22A0 || c == 0x2327 || (c >= 0x274F && c <= 0x2752) ||
         (c >= 0x2610 && c <= 0x2612) || (c >= 0x2713 && c <= 0x2714) || (c >= 0x2794 && c <= 0x27BF) ||
         (c >= 0x80 && c <= 0x9F) || (c >= 0xE000 && c <= 0xF8FF);
}

// Whether a bullet glyph beyond ASCII starts the text ('-' and '*' may be a minus, a product or
// a comment marker).
bool opens_with_bullet_glyph(const std::string& text) {
  const std::u32string head = decode_utf8(text.substr(0, 4));
  return !head.empty() && head[0] >= 0x80 && is_bullet(head[0]);
}

// A line of code: monospaced, unless a bullet glyph starts it (a list item whatever the font of
// its text).
bool monospaced_line(const TextLine& line) { return line.monospace && !opens_with_bullet_glyph(line.text); }

// Which lines of a zone (in reading order) belong to a listing: runs of two or more monospaced
// lines (a single one may be a path or a name in prose). The detector often boxes prose and the
// example it introduces as one region.
std::vector<bool> listing_lines(const std::vector<TextLine>& lines, const std::vector<size_t>& ids) {
  std::vector<bool> code(ids.size(), false);
  for (size_t k = 0; k < ids.size();) {
    size_t end = k;
    while (end < ids.size() && monospaced_line(lines[ids[end]])) ++end;
    if (end - k >= 2) std::fill(code.begin() + static_cast<long>(k), code.begin() + static_cast<long>(end), true);
    k = std::max(end, k + 1);
  }
  return code;
}

// Splits a text zone into paragraphs, list items and code.
void split_text_zone(const std::vector<TextLine>& lines, int page_number, const Zone& zone, std::vector<Block>& out) {
  const std::vector<size_t> ids = order_lines(lines, zone.lines);
  const std::vector<bool> code = listing_lines(lines, ids);
  for (size_t k = 0; k < ids.size();) {
    size_t end = k;
    while (end < ids.size() && code[end] == code[k]) ++end;
    const std::vector<size_t> part(ids.begin() + static_cast<long>(k), ids.begin() + static_cast<long>(end));
    if (code[k]) {
      out.push_back(make_code_block(lines, part, page_number));
    } else {
      split_paragraphs(lines, part, page_number, out);
    }
    k = end;
  }
}

// The detector's formula class also fires on sparse lines that are no mathematics (a form's
// answers on an otherwise empty page): a zone whose first line opens with a bullet or box glyph,
// or whose tokens are mostly words of three letters or more with no "=", is prose.
bool formula_reads_as_prose(const std::vector<TextLine>& lines, const std::vector<size_t>& ids) {
  if (ids.empty()) return false;
  const std::string& first = lines[ids.front()].text;
  bool ordered = false;
  if (opens_with_bullet_glyph(first) && list_marker_length(first, &ordered) > 0) return true;
  const auto is_letter = [](char32_t c) {
    const bool greek = c >= 0x370 && c <= 0x3FF;  // math's letters
    const bool math = (c >= 0x2200 && c <= 0x22FF) || (c >= 0x27C0 && c <= 0x2AFF) || (c >= 0x1D400 && c <= 0x1D7FF);
    return (c < 0x80 && std::isalpha(static_cast<int>(c))) || (c >= 0xC0 && !greek && !math && c != 0xD7 && c != 0xF7);
  };
  size_t tokens = 0, words = 0;
  for (size_t i : ids) {
    if (lines[i].text.find('=') != std::string::npos) return false;
    for (const std::string& token : split_words(lines[i].text)) {
      ++tokens;
      std::u32string w = decode_utf8(token);
      while (!w.empty() && std::u32string_view(U",.;:!?)").find(w.back()) != std::u32string_view::npos) w.pop_back();
      if (!w.empty() && w.front() == '(') w.erase(0, 1);
      if (w.size() >= 3 && std::all_of(w.begin(), w.end(), is_letter)) ++words;
    }
  }
  return words >= 4 && words >= 0.6 * static_cast<double>(tokens);
}

const std::regex& caption_pattern() {
  static const std::regex pattern(
      R"(^(Figure|Fig\.|Table|Tab\.|Listing|Chart|Diagram|Exhibit|Scheme|Plate)\s*[0-9IVXLivxl]+[.:\s])",
      std::regex::icase);
  return pattern;
}

// Captions: the detector's, and text blocks that read like one next to a picture, table or code.
void tie_captions(std::vector<Block>& blocks) {
  for (size_t c = 0; c < blocks.size(); ++c) {
    Element& caption = blocks[c].element;
    if (caption.label != Label::caption && caption.label != Label::text) continue;
    if (caption.label == Label::text && !std::regex_search(caption.text, caption_pattern())) continue;
    double best_distance = caption.label == Label::caption ? 1e9 : 40;
    int best = -1;
    for (size_t t = 0; t < blocks.size(); ++t) {
      const Element& target = blocks[t].element;
      if (target.label != Label::picture && target.label != Label::table && target.label != Label::code) continue;
      const double vertical = std::max({0.0, target.box.t - caption.box.b, caption.box.t - target.box.b});
      const double horizontal_overlap = std::min(target.box.r, caption.box.r) - std::max(target.box.l, caption.box.l);
      if (horizontal_overlap <= 0) continue;
      if (vertical < best_distance) {
        best_distance = vertical;
        best = static_cast<int>(t);
      }
    }
    if (best >= 0) {
      caption.label = Label::caption;
      blocks[c].caption_target = best;
    }
  }
}

// Whether a column is a list: two or more of its rows open with a bullet or a number (a bullet
// set apart from its text counts for its row) and they are most of its rows. Box glyphs do not
// count: a form sets its options in aligned columns, to be read across.
bool is_list_column(const std::vector<TextLine>& lines, const std::vector<size_t>& column) {
  const auto opens_item = [&](size_t i) {
    bool ordered = false;
    return !lines[i].words.empty() && list_marker_length(lines[i].text, &ordered) > 0 &&
           checkbox_state(lines[i].words.front().text) == CheckboxState::none;
  };
  size_t items = 0, others = 0;
  for (size_t i : column) {
    if (opens_item(i)) {
      ++items;
    } else if (std::none_of(column.begin(), column.end(),
                            [&](size_t j) { return j != i && same_row(lines[i].box, lines[j].box) && opens_item(j); })) {
      ++others;
    }
  }
  return items >= 2 && items >= others;
}

// The side-by-side columns `ids` fall into, or nothing when they are one column or when they are
// short lines whose rows line up (a key-value list or a form, read across). Columns of prose are
// columns whatever their rows, and so are lists side by side (a slide's). A narrow group (list
// markers set apart from their text) stays with the column on its right.
std::vector<std::vector<size_t>> columns_of(const std::vector<TextLine>& lines, const std::vector<Box>& boxes,
                                            const std::vector<size_t>& ids, double zone_width) {
  std::vector<std::vector<size_t>> columns;
  bool last_took_markers = false;  // a column that took its markers takes nothing more
  for (auto& group : cut(boxes, ids, 0)) {
    if (!columns.empty() && !last_took_markers && box_of(lines, columns.back()).width() < 0.1 * zone_width) {
      columns.back().insert(columns.back().end(), group.begin(), group.end());
      last_took_markers = true;
    } else {
      columns.push_back(std::move(group));
      last_took_markers = false;
    }
  }
  bool prose = true, aligned = false;
  for (size_t c = 0; c < columns.size(); ++c) {
    size_t words = 0, rows_shared = 0;
    for (size_t i : columns[c]) {
      words += lines[i].words.size();
      if (c > 0 && std::any_of(columns[c - 1].begin(), columns[c - 1].end(),
                               [&](size_t j) { return same_row(lines[i].box, lines[j].box); })) {
        ++rows_shared;
      }
    }
    prose &= words >= 4 * columns[c].size() && columns[c].size() >= 2;
    aligned |= c > 0 && rows_shared * 2 > columns[c].size();
  }
  if (columns.size() < 2) return {};
  const bool lists = std::all_of(columns.begin(), columns.end(), [&](const auto& c) { return is_list_column(lines, c); });
  if (!prose && aligned && !lists) return {};
  return columns;
}

// A text zone whose lines fall into side-by-side columns (a detector box spanning a gutter, a
// dissolved picture, OCR lines no region claimed) is one zone per column, so that each column
// is read to its end before the next. A box may also take in the headline across the columns'
// tops (a newspaper's article): up to three lines standing above all the others are peeled off
// as a zone of their own when the lines under them are columns of prose.
void split_at_gutters(const std::vector<TextLine>& lines, std::vector<Zone>& zones) {
  constexpr size_t kMostHeadlineLines = 3;
  std::vector<Box> boxes;
  for (const auto& line : lines) boxes.push_back(line.box);
  std::vector<Zone> split;
  for (auto& zone : zones) {
    if ((zone.label != Label::text && zone.label != Label::list_item) || zone.lines.size() < 4) {
      split.push_back(std::move(zone));
      continue;
    }
    std::vector<size_t> by_top = zone.lines;
    std::stable_sort(by_top.begin(), by_top.end(), [&](size_t a, size_t b) { return boxes[a].t < boxes[b].t; });
    size_t headline = 0;
    auto columns = columns_of(lines, boxes, zone.lines, zone.box.width());
    for (size_t k = 1; columns.empty() && k <= kMostHeadlineLines && 4 * k <= by_top.size(); ++k) {
      const std::vector<size_t> above(by_top.begin(), by_top.begin() + k), below(by_top.begin() + k, by_top.end());
      if (box_of(lines, above).b > box_of(lines, below).t + 1.0) continue;
      columns = columns_of(lines, boxes, below, zone.box.width());
      headline = columns.empty() ? 0 : k;
    }
    if (columns.empty()) {
      split.push_back(std::move(zone));
      continue;
    }
    if (headline > 0) {
      std::vector<size_t> top(by_top.begin(), by_top.begin() + headline);
      split.push_back({zone.label, box_of(lines, top), zone.score, std::move(top)});
    }
    for (auto& column : columns) split.push_back({zone.label, box_of(lines, column), zone.score, std::move(column)});
  }
  zones = std::move(split);
}

// A region never runs across a frame's rule: the detector often boxes a column of a ruled table
// as one text region, whose rows are read as units (framed_reading_order). Its lines are regrouped
// by the frame each lies in.
void split_at_frames(const std::vector<TextLine>& lines, const std::vector<Box>& frames, std::vector<Zone>& zones) {
  if (frames.empty()) return;
  std::vector<Zone> split;
  for (auto& zone : zones) {
    std::map<int, std::vector<size_t>> by_frame;
    if (text_like(zone.label)) {
      for (size_t i : zone.lines) by_frame[frame_of(frames, lines[i].box)].push_back(i);
    }
    if (by_frame.size() < 2) {
      split.push_back(std::move(zone));
      continue;
    }
    for (auto& [frame, ids] : by_frame) split.push_back({zone.label, box_of(lines, ids), zone.score, std::move(ids)});
  }
  zones = std::move(split);
}

}  // namespace


size_t list_marker_length(const std::string& text, bool* ordered) {
  size_t start = 0;
  while (start < text.size() && text[start] == ' ') ++start;
  const std::u32string head = decode_utf8(text.substr(start, 8));
  if (!head.empty() && is_bullet(head[0]) && (head.size() == 1 || is_space(head[1]))) {
    std::string bullet;
    append_utf8(bullet, head[0]);
    size_t end = start + bullet.size();
    while (end < text.size() && text[end] == ' ') ++end;
    *ordered = false;
    return end;
  }
  static const std::regex number(R"(^\s*(\(?([0-9]{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)])(\s+|$))");
  std::smatch m;
  if (std::regex_search(text, m, number)) {
    // "1." followed by a number is a decimal ("1. 5"), not a list; require some text after it.
    if (m.length(0) == static_cast<long>(text.size())) return 0;
    *ordered = true;
    return static_cast<size_t>(m.length(0));
  }
  return 0;
}

std::string reflow(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& raw : lines) {
    const std::string line = normalize_space(raw);
    if (line.empty()) continue;
    if (out.empty()) {
      out = line;
      continue;
    }
    const std::u32string tail = decode_utf8(out.substr(out.size() >= 8 ? out.size() - 8 : 0));
    const std::u32string head = decode_utf8(line.substr(0, 8));
    const char32_t last = tail.empty() ? 0 : tail.back();
    const char32_t before_last = tail.size() >= 2 ? tail[tail.size() - 2] : 0;
    const char32_t first = head.empty() ? 0 : head.front();
    const bool lower_next = (first >= 'a' && first <= 'z') || (first >= 0xDF && first <= 0xFF);
    if ((last == '-' || last == 0xAD) && lower_next &&
        ((before_last >= 'a' && before_last <= 'z') || (before_last >= 'A' && before_last <= 'Z'))) {
      out.pop_back();
      if (last == 0xAD) out.pop_back();  // soft hyphen is two bytes
      out += line;
    } else if (is_cjk(last) && is_cjk(first)) {
      out += line;
    } else {
      out += ' ';
      out += line;
    }
  }
  return out;
}

std::vector<size_t> reading_order(const std::vector<Box>& boxes, ReadingStyle style) {
  std::vector<size_t> ids(boxes.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = i;
  return xy_cut(boxes, ids, style, 0);
}

// The order of `boxes` when what each ruled frame holds is read as one unit, where the frame stands
// among the boxes and frames beside it (frames inside frames likewise): XY-cut at every level.
std::vector<size_t> framed_reading_order(const std::vector<Box>& boxes, const std::vector<Box>& frames,
                                         const ReadingStyle& style) {
  if (frames.empty()) return reading_order(boxes, style);
  std::vector<int> frame_of_box, parent;
  for (const Box& b : boxes) frame_of_box.push_back(frame_of(frames, b));
  for (const Box& f : frames) parent.push_back(frame_of(frames, f, f.area()));
  std::vector<bool> holds_any(frames.size(), false);  // frames with nothing of the page's inside stay out
  for (int f : frame_of_box) {
    for (; f >= 0 && !holds_any[static_cast<size_t>(f)]; f = parent[static_cast<size_t>(f)]) holds_any[static_cast<size_t>(f)] = true;
  }
  std::vector<size_t> order;
  const std::function<void(int)> read = [&](int frame) {
    std::vector<Box> item_boxes;
    std::vector<int> items;  // a box's index, or -1 - a frame's
    for (size_t i = 0; i < boxes.size(); ++i) {
      if (frame_of_box[i] != frame) continue;
      item_boxes.push_back(boxes[i]);
      items.push_back(static_cast<int>(i));
    }
    for (size_t f = 0; f < frames.size(); ++f) {
      if (parent[f] != frame || !holds_any[f]) continue;
      item_boxes.push_back(frames[f]);
      items.push_back(-1 - static_cast<int>(f));
    }
    for (size_t k : reading_order(item_boxes, style)) {
      if (items[k] >= 0) {
        order.push_back(static_cast<size_t>(items[k]));
      } else {
        read(-1 - items[k]);
      }
    }
  };
  read(-1);
  return order;
}

std::vector<Block> assemble_page(const Page& page, bool crop_pictures) {
  std::vector<TextLine> lines = page.lines;  // words a table's grid holds are taken out of other lines
  split_lines_at_boxes(lines);
  std::vector<Zone> zones = zones_from_regions(page.regions);
  std::vector<size_t> orphans = assign_lines(lines, zones);
  dissolve_text_pictures(lines, page, zones, orphans);
  dissolve_prose_tables(page, zones, orphans);
  add_chart_pictures(lines, zones, orphans);
  add_orphan_zones(lines, std::move(orphans), page, zones);
  add_unclaimed_images(page, lines, zones);
  take_chart_labels(page, lines, zones);
  take_table_words_out(page, zones, lines);
  split_at_gutters(lines, zones);
  split_at_frames(lines, page.frames, zones);
  // Zones that own nothing only matter if they are pictures or tables.
  std::erase_if(zones, [](const Zone& z) { return z.lines.empty() && text_like(z.label); });

  // Headers first, footers last, the body by XY-cut in between.
  std::vector<size_t> headers, body, footers;
  std::vector<Box> body_boxes;
  for (size_t z = 0; z < zones.size(); ++z) {
    if (zones[z].label == Label::page_header) headers.push_back(z);
    else if (zones[z].label == Label::page_footer) footers.push_back(z);
    else body.push_back(z);
  }
  for (size_t z : body) body_boxes.push_back(zones[z].box);
  std::vector<size_t> order = headers;
  // A page OCR read as a whole is a scan; a digital page with OCR'd pictures is not.
  std::vector<size_t> all_lines(lines.size());
  std::iota(all_lines.begin(), all_lines.end(), 0);
  const ReadingStyle style{.scanned = page.needs_ocr, .right_to_left = mostly_rtl(lines, all_lines)};
  for (size_t k : framed_reading_order(body_boxes, page.frames, style)) order.push_back(body[k]);
  order.insert(order.end(), footers.begin(), footers.end());

  std::vector<Block> blocks;
  for (size_t z : order) {
    const Zone& zone = zones[z];
    const std::vector<size_t> ids = order_lines(lines, zone.lines);
    switch (zone.label) {
      case Label::picture: {
        Block block;
        block.element.label = Label::picture;
        block.element.page = page.number;
        block.element.box = zone.box;
        // Text inside a picture (labels, OCR'd bitmaps) stays with the picture, not the body.
        if (!ids.empty()) {
          const Block inner = make_block(Label::text, lines, ids, page.number);
          block.element.text = inner.element.text;
          block.element.from_ocr = inner.element.from_ocr;
          block.element.confidence = inner.element.confidence;
        }
        if (crop_pictures && !page.raster.empty()) {
          const double s = page.raster_scale;
          const cv::Rect area = cv::Rect(cv::Point(static_cast<int>(zone.box.l * s), static_cast<int>(zone.box.t * s)),
                                         cv::Point(static_cast<int>(std::ceil(zone.box.r * s)),
                                                   static_cast<int>(std::ceil(zone.box.b * s)))) &
                                cv::Rect(0, 0, page.raster.cols, page.raster.rows);
          std::vector<uchar> png;
          if (!area.empty() && cv::imencode(".png", page.raster(area), png)) {
            block.element.image_png.assign(png.begin(), png.end());
            block.element.image_dpi = static_cast<int>(std::lround(72 * s));
          }
        }
        blocks.push_back(std::move(block));
        break;
      }
      case Label::table: {
        Block block = ids.empty() ? Block{} : make_block(Label::table, lines, ids, page.number);
        block.element.label = Label::table;
        block.element.page = page.number;
        block.element.box = zone.box;
        std::string text;
        for (size_t i : ids) text += (text.empty() ? "" : "\n") + lines[i].text;
        block.element.text = text;
        for (const auto& [box, grid] : page.tables) {
          if (box == zone.box) {
            block.element.table = grid;
          }
        }
        blocks.push_back(std::move(block));
        break;
      }
      case Label::text:
      case Label::list_item:
        split_text_zone(lines, page.number, zone, blocks);
        break;
      case Label::formula:
        // Not through the headings' case below: a formula may open with "- " (a minus).
        if (formula_reads_as_prose(lines, ids)) {
          split_text_zone(lines, page.number, zone, blocks);
        } else {
          blocks.push_back(make_block(Label::formula, lines, ids, page.number));
        }
        break;
      case Label::title:
      case Label::section_header:
        // A bullet opens a list item, however the detector saw its type: no heading starts with one.
        if (bool ordered = false; !ids.empty() && list_marker_length(lines[ids.front()].text, &ordered) > 0 && !ordered) {
          split_text_zone(lines, page.number, zone, blocks);
          break;
        }
        [[fallthrough]];
      default: {
        const bool heading = zone.label == Label::title || zone.label == Label::section_header;
        const auto parts = heading ? heading_parts(lines, ids, page.height) : std::vector<std::vector<size_t>>{ids};
        for (const std::vector<size_t>& part : parts) {
          Block block = make_block(zone.label, lines, part, page.number);
          block.from_model_title = heading;
          if (heading) block.element.label = Label::section_header;
          blocks.push_back(std::move(block));
        }
      }
    }
  }
  attach_section_numbers(blocks);
  merge_code_blocks(blocks);
  tie_captions(blocks);
  return blocks;
}

}  // namespace pageflow
