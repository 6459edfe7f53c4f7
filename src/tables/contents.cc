#include "tables/contents.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include "core/text.h"
#include "tables/aligned_rows.h"

namespace pageflow::tables {

namespace {

// The dots of a piece of a leader: full stops, or on a scan what the recogniser makes of spaced
// dots (a middle dot, a bullet, an ellipsis); 0 when the word is no such piece.
size_t leader_dots(const std::string& word) {
  size_t dots = 0;
  for (const char32_t c : decode_utf8(word)) {
    if (c != U'.' && c != U'\u00B7' && c != U'\u2022' && c != U'\u2026') return 0;
    dots += c == U'\u2026' ? 3 : 1;
  }
  return dots;
}

// A page number, or the figure a leader runs to in a list of the same make (a fleet's tonnage, a
// price list): arabic, with thousands separators or cents.
bool is_entry_number(const std::string& word) {
  static const std::regex number(R"(^([0-9]{1,4}|[0-9]{1,3}(,[0-9]{3})+|[0-9]+\.[0-9]{2}|[ivxlcdm]{1,7}|[IVXLCDM]{1,7})$)");
  return std::regex_match(word, number);
}

// An entry: its line, ending in the leader and the page number.
struct Entry {
  const TextLine* line = nullptr;
  const TextLine* wrapped = nullptr;  // the line above holding the start of the title
};

// Where the page numbers at the end of `words` start: an index's entry may list several
// ("5, 23, 57"). words.size() when the last word is no page number.
size_t page_numbers_start(const std::vector<Word>& words) {
  if (words.empty() || !is_entry_number(words.back().text)) return words.size();
  size_t k = words.size() - 1;
  while (k > 0 && words[k - 1].text.size() > 1 && words[k - 1].text.back() == ',' &&
         is_entry_number(words[k - 1].text.substr(0, words[k - 1].text.size() - 1))) {
    --k;
  }
  return k;
}

size_t trailing_dots(const std::string& word) {
  const size_t last = word.find_last_not_of('.');
  return last == std::string::npos ? word.size() : word.size() - last - 1;
}

// Where the title ends (the number of its words) when `line` is an entry, or 0 when it is not.
size_t title_end(const TextLine& line) {
  const auto& words = line.words;
  if (words.size() < 2 || !is_entry_number(words.back().text)) return 0;
  size_t k = page_numbers_start(words), dots = 0;
  while (k > 0 && leader_dots(words[k - 1].text) > 0) dots += leader_dots(words[--k].text);
  // A leader glued to the title's last word ("Preface........ 1").
  if (k > 0 && trailing_dots(words[k - 1].text) >= 3) dots += trailing_dots(words[k - 1].text);
  return dots >= 2 && k > 0 ? k : 0;
}

// The runs of `line`'s words, as [from, to), that gaps wider than two type sizes part: the pieces
// of a column header, where the words of running text make one.
std::vector<std::pair<size_t, size_t>> pieces(const TextLine& line) {
  const double size = type_size(line);
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t k = 0; k < line.words.size(); ++k) {
    if (k == 0 || line.words[k].box.l - line.words[k - 1].box.r > 2 * size) runs.emplace_back(k, k);
    runs.back().second = k + 1;
  }
  return runs;
}

// The words [from, to) of `words`, spaced.
std::string joined(const std::vector<Word>& words, size_t from, size_t to) {
  std::string text;
  for (size_t i = from; i < to; ++i) text += (i > from ? " " : "") + words[i].text;
  return text;
}

// The box of the words [from, to) of `words`.
Box box_of(const std::vector<Word>& words, size_t from, size_t to) {
  Box box = words[from].box;
  for (size_t i = from; i < to; ++i) box = unite(box, words[i].box);
  return box;
}

// The header cells of the two columns when `line`, close above the first entry, is a header over
// them ("Name."  "Tonnage."): its words fall in two pieces far apart, the first where the titles
// start, the second over the entry's number, with no leader and no number in either. A line close
// above it and over the number's header alone is that header's first line ("Tonnage" over
// "(metric tons)."). Else none.
std::vector<TableCell> header_cells(const TextLine* over, const TextLine& line, const Entry& first) {
  const TextLine& top = first.wrapped ? *first.wrapped : *first.line;
  const double size = type_size(line);
  if (top.box.t - line.box.b > size) return {};
  const bool figures = std::any_of(line.words.begin(), line.words.end(), [](const Word& w) {
    return leader_dots(w.text) > 0 || is_entry_number(w.text);
  });
  const auto parts = pieces(line);
  if (figures || parts.size() != 2) return {};
  const auto& words = first.line->words;
  const Box numbers = box_of(words, page_numbers_start(words), words.size());
  const Box title = box_of(line.words, parts[0].first, parts[0].second);
  const Box number = box_of(line.words, parts[1].first, parts[1].second);
  if (std::abs(title.l - top.box.l) > 3 * size || number.r < numbers.l || number.l > numbers.r) return {};
  TableCell number_cell{0, 1, 1, 1, true, joined(line.words, parts[1].first, parts[1].second), number};
  if (over && !over->words.empty() && line.box.t - over->box.b <= size && over->box.l >= title.r &&
      over->box.r >= number.l && over->box.l <= number.r) {
    number_cell.text = over->text + " " + number_cell.text;
    number_cell.box = unite(number_cell.box, over->box);
  }
  return {{0, 0, 1, 1, true, joined(line.words, parts[0].first, parts[0].second), title}, number_cell};
}

// The table of `entries`, under the header that the rows right above them (`rows` up to `start`)
// make when they are one (header_cells).
TableData table_of(const std::vector<Entry>& entries, const std::vector<const TextLine*>& rows, size_t start) {
  TableData table;
  if (start > 0) table.cells = header_cells(start > 1 ? rows[start - 2] : nullptr, *rows[start - 1], entries.front());
  const int first_row = table.cells.empty() ? 0 : 1;
  table.rows = first_row + static_cast<int>(entries.size());
  table.cols = 2;
  for (size_t r = 0; r < entries.size(); ++r) {
    const Entry& e = entries[r];
    const auto& words = e.line->words;
    const size_t numbers = page_numbers_start(words);
    const Box numbers_box = box_of(words, numbers, words.size());
    Box title_box = e.line->box;
    title_box.r = numbers_box.l;
    if (e.wrapped) title_box = unite(title_box, e.wrapped->box);
    // The title with its leader, as printed (docling's cells keep the dots too).
    const std::string title = (e.wrapped ? e.wrapped->text + " " : "") + joined(words, 0, numbers);
    const int row = first_row + static_cast<int>(r);
    table.cells.push_back({row, 0, 1, 1, false, title, title_box});
    table.cells.push_back({row, 1, 1, 1, false, joined(words, numbers, words.size()), numbers_box});
  }
  return table;
}

// The side-by-side columns of entries (a gutter runs down between the entries) when two of them or
// more hold three entries at least (a two-column index), each with the lines that start in it, to
// be read apart; lines across the gutter (the page's heading) belong to none. Else all the lines
// as one (a section number set apart from its title makes a column of no entries).
std::vector<std::vector<const TextLine*>> entry_columns(std::vector<const TextLine*> lines) {
  constexpr size_t kLeastEntries = 3;
  std::vector<const TextLine*> entries;
  for (const TextLine* line : lines) {
    if (title_end(*line) > 0) entries.push_back(line);
  }
  std::sort(entries.begin(), entries.end(), [](const TextLine* a, const TextLine* b) { return a->box.l < b->box.l; });
  std::vector<std::pair<double, double>> spans;  // of each column of entries, left to right
  std::vector<size_t> counts;
  for (const TextLine* entry : entries) {
    if (spans.empty() || entry->box.l > spans.back().second) {
      spans.emplace_back(entry->box.l, entry->box.r);
      counts.push_back(0);
    }
    spans.back().second = std::max(spans.back().second, entry->box.r);
    ++counts.back();
  }
  if (std::count_if(counts.begin(), counts.end(), [](size_t n) { return n >= kLeastEntries; }) < 2) {
    return {std::move(lines)};
  }
  std::vector<std::vector<const TextLine*>> columns(spans.size());
  for (const TextLine* line : lines) {
    for (size_t c = 0; c < spans.size(); ++c) {
      const double next = c + 1 < spans.size() ? spans[c + 1].first : 1e18;
      const double start = c == 0 ? -1e18 : spans[c - 1].second;
      if (line->box.l >= start && line->box.l < next && line->box.r <= next) columns[c].push_back(line);
    }
  }
  return columns;
}

// The contents tables of one column of lines.
std::vector<std::pair<Box, TableData>> column_contents_tables(std::vector<const TextLine*> free) {
  std::sort(free.begin(), free.end(), [](const TextLine* a, const TextLine* b) { return a->box.t < b->box.t; });
  // The pieces of a row as one line (a section number is often a line of its own beside its
  // title), so that every word of an entry lands in its cells.
  std::vector<TextLine> rows;
  for (const TextLine* line : free) {
    if (!rows.empty()) {
      TextLine& row = rows.back();
      const double overlap = std::min(row.box.b, line->box.b) - std::max(row.box.t, line->box.t);
      if (overlap >= 0.5 * std::min(row.box.height(), line->box.height())) {
        row.words.insert(row.words.end(), line->words.begin(), line->words.end());
        row.box = unite(row.box, line->box);
        continue;
      }
    }
    rows.push_back(*line);
  }
  std::vector<const TextLine*> sorted;
  for (auto& row : rows) {
    std::stable_sort(row.words.begin(), row.words.end(), [](const Word& a, const Word& b) { return a.box.l < b.box.l; });
    join_words(row);
    sorted.push_back(&row);
  }
  std::vector<std::pair<Box, TableData>> tables;
  std::vector<Entry> run;
  size_t run_start = 0;  // the run's first row
  auto close_run = [&] {
    if (run.size() >= 3) {
      const TableData table = table_of(run, sorted, run_start);
      Box box = table.cells.front().box;
      for (const auto& cell : table.cells) box = unite(box, cell.box);
      tables.emplace_back(box, table);
    }
    run.clear();
  };
  for (size_t i = 0; i < sorted.size(); ++i) {
    const TextLine& line = *sorted[i];
    const size_t end = title_end(line);
    const double size = type_size(line);
    const bool near = !run.empty() && line.box.t - run.back().line->box.b <= 3 * size;
    if (end == 0) {
      // The first line of an entry whose title wraps: the next line is an entry close below, and
      // this one runs on as words do (the headers of a list's columns stand far apart).
      const TextLine* next = i + 1 < sorted.size() ? sorted[i + 1] : nullptr;
      const bool wraps = next && title_end(*next) > 0 && next->box.t - line.box.b <= 0.5 * size &&
                         pieces(line).size() <= 1 && (run.empty() || near);
      if (wraps) {
        if (run.empty()) run_start = i;
        run.push_back({sorted[i + 1], &line});
        ++i;
        continue;
      }
      close_run();
      continue;
    }
    if (!run.empty() && !near) close_run();
    if (run.empty()) run_start = i;
    run.push_back({&line, nullptr});
  }
  close_run();
  return tables;
}

}  // namespace

std::vector<std::pair<Box, TableData>> contents_tables(const std::vector<TextLine>& lines, std::span<const Box> taken) {
  std::vector<const TextLine*> free;
  for (const auto& line : lines) {
    const bool inside = std::any_of(taken.begin(), taken.end(), [&](const Box& b) { return centre_inside(line.box, b); });
    if (!line.words.empty() && !inside) free.push_back(&line);
  }
  std::vector<std::pair<Box, TableData>> tables;
  for (auto& column : entry_columns(std::move(free))) {
    auto found = column_contents_tables(std::move(column));
    tables.insert(tables.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return tables;
}

}  // namespace pageflow::tables
