"""docling's minimal example with one line changed: the import.

    python docling_minimal.py [SOURCE]     (a path or URL; default: the docling paper on arXiv)
"""
import sys

# from docling.document_converter import DocumentConverter
from pageflow.docling import DocumentConverter

source = sys.argv[1] if len(sys.argv) > 1 else "https://arxiv.org/pdf/2408.09869"

converter = DocumentConverter()
result = converter.convert(source)

print(result.document.export_to_markdown())
