"""Options every Python test suite under tests/ takes (ctest passes them; see CMakeLists.txt)."""
import pytest


def pytest_addoption(parser):
    parser.addoption("--pageflow", required=True, help="the pageflow CLI (build/pageflow)")
    parser.addoption("--corpus", required=True, help="../shared/corpus/docling")


@pytest.fixture(scope="session")
def pageflow(request):
    return request.config.getoption("--pageflow")


@pytest.fixture(scope="session")
def corpus(request):
    return request.config.getoption("--corpus")
