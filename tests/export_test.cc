#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "export/export.h"
#include "test_util.h"

namespace pageflow {
namespace {

Element element(Label label, std::string text, Box box = {72, 100, 300, 120}) {
  Element e;
  e.label = label;
  e.text = std::move(text);
  e.box = box;
  return e;
}

Document sample() {
  Document doc;
  doc.source = "/in/report.pdf";
  doc.name = "report";
  doc.page_count = 1;
  doc.pages.push_back({1, 612, 792, true, "", "", false, 0});
  doc.elements.push_back(element(Label::page_header, "Running header"));
  doc.elements.push_back(element(Label::title, "Report <2024>"));
  auto section = element(Label::section_header, "Methods");
  section.level = 1;
  doc.elements.push_back(section);
  auto ocr_text = element(Label::text, "A & B are compared.");
  ocr_text.from_ocr = true;
  ocr_text.confidence = 0.75f;
  doc.elements.push_back(ocr_text);
  auto item = element(Label::list_item, "first");
  item.marker = "•";
  doc.elements.push_back(item);
  auto nested = element(Label::list_item, "second");
  nested.level = 1;
  doc.elements.push_back(nested);
  doc.elements.push_back(element(Label::picture, "", {100, 200, 400, 400}));
  auto caption = element(Label::caption, "Figure 1: A chart.");
  caption.caption_of = 6;
  doc.elements.push_back(caption);
  doc.elements.push_back(element(Label::code, "int x = 1;\nreturn x;"));
  auto table = element(Label::table, "");
  TableData grid;
  grid.rows = 2;
  grid.cols = 2;
  grid.cells = {{0, 0, 1, 2, true, "Name", {}}, {1, 0, 1, 1, false, "a|b", {}}, {1, 1, 1, 1, false, "2", {}}};
  table.table = grid;
  doc.elements.push_back(table);
  doc.elements.push_back(element(Label::page_footer, "7"));
  return doc;
}

TEST(Export, DocTagsAsDoclingCoreReadsThem) {
  Document doc = sample();
  doc.pages.push_back({2, 612, 792, true, "", "", false, 0});
  auto last = element(Label::text, "On page two", {0, 396, 612, 792});
  last.page = 2;
  doc.elements.push_back(last);
  EXPECT_EQ(to_doctags(doc),
            "<doctag><page_header><loc_59><loc_63><loc_245><loc_76>Running header</page_header>\n"
            "<title><loc_59><loc_63><loc_245><loc_76>Report <2024></title>\n"
            "<section_header_level_1><loc_59><loc_63><loc_245><loc_76>Methods</section_header_level_1>\n"
            "<text><loc_59><loc_63><loc_245><loc_76>A & B are compared.</text>\n"
            "<unordered_list><list_item><loc_59><loc_63><loc_245><loc_76>first</list_item>\n"
            "<list_item><loc_59><loc_63><loc_245><loc_76>second</list_item>\n"
            "</unordered_list>\n"
            "<picture><loc_82><loc_126><loc_327><loc_253>"
            "<caption><loc_59><loc_63><loc_245><loc_76>Figure 1: A chart.</caption></picture>\n"
            "<code><loc_59><loc_63><loc_245><loc_76><_unknown_>int x = 1;\nreturn x;</code>\n"
            "<otsl><loc_59><loc_63><loc_245><loc_76><ched>Name<lcel><nl><fcel>a|b<fcel>2<nl></otsl>\n"
            "<page_footer><loc_59><loc_63><loc_245><loc_76>7</page_footer>\n"
            "<page_break>\n"
            "<text><loc_0><loc_250><loc_499><loc_499>On page two</text>\n"
            "</doctag>");
}

TEST(Export, MarkdownPageBreaksAndReferencedPictures) {
  Document doc = sample();
  doc.elements[6].image_png = "png";
  auto last = element(Label::text, "On page two");
  last.page = 2;
  doc.elements.push_back(last);
  MarkdownOptions options;
  options.page_break = "<!-- page -->";
  options.image_paths[6] = "artifacts/p.png";
  const std::string md = to_markdown(doc, options);
  EXPECT_NE(md.find("![Image](artifacts/p.png)"), std::string::npos);
  EXPECT_NE(md.find("| a\\|b | 2 |\n\n<!-- page -->\n\nOn page two\n"), std::string::npos) << md;
}

TEST(Export, CheckboxesAsDoclingWritesThem) {
  Document doc;
  doc.name = "form";
  doc.page_count = 1;
  doc.pages.push_back({1, 612, 792, true, "", "", false, 0});
  doc.elements.push_back(element(Label::checkbox_selected, "Yes"));
  doc.elements.push_back(element(Label::checkbox_unselected, "No_answer"));
  EXPECT_EQ(to_markdown(doc), "- [x] Yes\n\n- [ ] No\\_answer\n");
  EXPECT_EQ(to_text(doc), "[x] Yes\n\n[ ] No_answer\n\n");
  EXPECT_NE(to_html(doc).find("<input type=\"checkbox\" disabled checked> Yes"), std::string::npos);
  const auto j = nlohmann::json::parse(to_docling_json(doc));
  EXPECT_EQ(j["texts"][0]["label"], "checkbox_selected");
  EXPECT_EQ(j["texts"][1]["label"], "checkbox_unselected");
  EXPECT_NE(to_doctags(doc).find("<checkbox_selected>"), std::string::npos);
}

TEST(Export, MarkdownLeavesFurnitureOut) {
  EXPECT_EQ(to_markdown(sample()),
            "# Report <2024>\n\n## Methods\n\nA & B are compared.\n\n- first\n  - second\n\n<!-- image -->\n\n"
            "Figure 1: A chart.\n\n```\nint x = 1;\nreturn x;\n```\n\n| Name | Name |\n|---|---|\n| a\\|b | 2 |\n");
}

TEST(Export, TextIsPlainParagraphs) {
  const std::string text = to_text(sample());
  EXPECT_EQ(text.find("Running header"), std::string::npos);
  EXPECT_NE(text.find("Methods\n\nA & B are compared.\n\n"), std::string::npos);
  EXPECT_NE(text.find("Name\na|b\t2"), std::string::npos);
}

TEST(Export, HtmlEscapesAndStructures) {
  const std::string html = to_html(sample());
  EXPECT_NE(html.find("<h1>Report &lt;2024&gt;</h1>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Methods</h2>"), std::string::npos);
  EXPECT_NE(html.find("<p>A &amp; B are compared.</p>"), std::string::npos);
  EXPECT_NE(html.find("<ul>\n<li>first</li>\n<li>second</li>\n</ul>"), std::string::npos);
  EXPECT_NE(html.find("<thead>\n<tr><th colspan=\"2\">Name</th></tr>\n</thead>\n<tbody>"), std::string::npos);
  EXPECT_EQ(html.find("Running header"), std::string::npos);
}

TEST(Export, DoclingJsonReferencesResolve) {
  const auto j = nlohmann::json::parse(to_docling_json(sample()));
  EXPECT_EQ(j["schema_name"], "DoclingDocument");
  EXPECT_EQ(j["name"], "report");
  EXPECT_EQ(j["origin"]["filename"], "report.pdf");
  auto resolve = [&](const std::string& ref) -> const nlohmann::json& {
    const auto slash = ref.rfind('/');
    return j[ref.substr(2, slash - 2)][std::stoul(ref.substr(slash + 1))];
  };
  std::vector<std::string> body_labels;
  for (const auto& child : j["body"]["children"]) {
    const auto& node = resolve(child["$ref"]);
    EXPECT_EQ(node["self_ref"], child["$ref"]);
    body_labels.push_back(node["label"]);
  }
  EXPECT_EQ(body_labels, (std::vector<std::string>{"title", "section_header", "text", "list", "picture",
                                                   "caption", "code", "table"}));
  EXPECT_EQ(j["furniture"]["children"].size(), 2u);
  const auto& header = resolve(j["furniture"]["children"][0]["$ref"]);
  EXPECT_EQ(header["content_layer"], "furniture");
  const auto& list = j["groups"][0];
  EXPECT_EQ(list["children"].size(), 2u);
  EXPECT_EQ(resolve(list["children"][0]["$ref"])["parent"]["$ref"], "#/groups/0");
  EXPECT_FLOAT_EQ(j["texts"][3]["meta"]["pageflow__ocr"]["confidence"].get<float>(), 0.75f);
  EXPECT_FALSE(j["texts"][1].contains("meta"));
  const auto& title = j["texts"][1];
  EXPECT_EQ(title["text"], "Report <2024>");
  // Bottom-left origin as docling writes it: t = height - top.
  EXPECT_DOUBLE_EQ(title["prov"][0]["bbox"]["t"].get<double>(), 692);
  EXPECT_DOUBLE_EQ(title["prov"][0]["bbox"]["b"].get<double>(), 672);
  const auto& picture = j["pictures"][0];
  ASSERT_EQ(picture["captions"].size(), 1u);
  EXPECT_EQ(resolve(picture["captions"][0]["$ref"])["text"], "Figure 1: A chart.");
  const auto& table = j["tables"][0]["data"];
  EXPECT_EQ(table["num_rows"], 2);
  EXPECT_EQ(table["grid"][0][1]["text"], "Name");
  EXPECT_EQ(table["table_cells"][0]["column_header"], true);
  EXPECT_EQ(j["pages"]["1"]["size"]["width"], 612);
}

TEST(Export, AtomicWriteLeavesNoTemporaryFiles) {
  testing::ScratchDir dir;
  const std::string path = dir.path("out.md");
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  EXPECT_EQ(testing::read_file(path), "second");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_THROW(write_file_atomically(dir.path("missing/out.md"), "x"), std::runtime_error);
}

TEST(Export, FormatNames) {
  EXPECT_EQ(parse_format("md"), Format::markdown);
  EXPECT_EQ(parse_format("txt"), Format::text);
  EXPECT_EQ(parse_format("pdf"), std::nullopt);
  EXPECT_EQ(format_extension(Format::json), "json");
}

}  // namespace
}  // namespace pageflow
