#include "tables/contents.h"

#include <algorithm>
#include <regex>

#include "tables/aligned_rows.h"

namespace pageflow::tables {

namespace {

bool is_leader(const std::string& word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c == '.'; });
}

bool is_page_number(const std::string& word) {
  static const std::regex number(R"(^([0-9]{1,4}|[ivxlcdm]{1,7}|[IVXLCDM]{1,7})$)");
  return std::regex_match(word, number);
}

// An entry: its line, ending in the leader and the page number.
struct Entry {
  const TextLine* line = nullptr;
  const TextLine* wrapped = nullptr;  // the line above holding the start of the title
};

size_t trailing_dots(const std::string& word) {
  const size_t last = word.find_last_not_of('.');
  return last == std::string::npos ? word.size() : word.size() - last - 1;
}

// Where the title ends (the number of its words) when `line` is an entry, or 0 when it is not.
size_t title_end(const TextLine& line) {
  const auto& words = line.words;
  if (words.size() < 2 || !is_page_number(words.back().text)) return 0;
  size_t k = words.size() - 1, dots = 0;
  while (k > 0 && is_leader(words[k - 1].text)) dots += words[--k].text.size();
  // A leader glued to the title's last word ("Preface........ 1").
  if (k > 0 && trailing_dots(words[k - 1].text) >= 3) dots += trailing_dots(words[k - 1].text);
  return dots >= 2 && k > 0 ? k : 0;
}

// The title with its leader, as printed (docling's cells keep the dots too): every word of the
// entry but its page number.
std::string title_of(const Entry& entry) {
  std::string text = entry.wrapped ? entry.wrapped->text + " " : "";
  const auto& words = entry.line->words;
  for (size_t i = 0; i + 1 < words.size(); ++i) text += (i ? " " : "") + words[i].text;
  return text;
}

TableData table_of(const std::vector<Entry>& entries) {
  TableData table;
  table.rows = static_cast<int>(entries.size());
  table.cols = 2;
  for (size_t r = 0; r < entries.size(); ++r) {
    const Entry& e = entries[r];
    const Word& page_number = e.line->words.back();
    Box title_box = e.line->box;
    title_box.r = page_number.box.l;
    if (e.wrapped) title_box = unite(title_box, e.wrapped->box);
    table.cells.push_back({static_cast<int>(r), 0, 1, 1, false, title_of(e), title_box});
    table.cells.push_back({static_cast<int>(r), 1, 1, 1, false, page_number.text, page_number.box});
  }
  return table;
}

}  // namespace

std::vector<std::pair<Box, TableData>> contents_tables(const std::vector<TextLine>& lines, std::span<const Box> taken) {
  std::vector<const TextLine*> free;
  for (const auto& line : lines) {
    const bool inside = std::any_of(taken.begin(), taken.end(), [&](const Box& b) { return centre_inside(line.box, b); });
    if (!line.words.empty() && !inside) free.push_back(&line);
  }
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
  auto close_run = [&] {
    if (run.size() >= 3) {
      const TableData table = table_of(run);
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
      // The first line of an entry whose title wraps: the next line is an entry close below.
      const bool wraps = i + 1 < sorted.size() && title_end(*sorted[i + 1]) > 0 &&
                         sorted[i + 1]->box.t - line.box.b <= 0.5 * size && (run.empty() || near);
      if (wraps) {
        run.push_back({sorted[i + 1], &line});
        ++i;
        continue;
      }
      close_run();
      continue;
    }
    if (!run.empty() && !near) close_run();
    run.push_back({&line, nullptr});
  }
  close_run();
  return tables;
}

}  // namespace pageflow::tables
