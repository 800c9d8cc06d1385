"""The Chinese edition cannot drift from the English (issue #33).

- Each Chinese file's first line records the sha256 of the English file it translates:
  an English file edited without its translation fails here, with the command that
  gives the new hash once the translation is brought up to date.
- Its fenced code blocks are the English file's, block for block (language and code), in
  order: the English run (tests/test_docs.py) proves them for both.
- Every English page of the guide and the README has its Chinese twin.

The checks (tests/translations.py) take paths: they are tried first on small files made
here, so that each is seen to fail, then run on the real ones.
"""
import pytest
import translations as tr  # tests/, beside this file

ROOT = tr.ROOT
CHINESE = tr.chinese_files()
IDS = [str(path.relative_to(ROOT)) for path in CHINESE]

ENGLISH = """\
# 2. Layers

Prose.

```python
>>> 1 + 1
2
```

```console
$ npvae summary
Model: ...
```
"""
# The same page, its prose translated and its blocks as they are.
CHINESE_BODY = ENGLISH.replace("# 2. Layers", "# 2. 层").replace("Prose.", "正文。")


@pytest.fixture
def pair(tmp_path):
    """A small repository: docs/02-layers.md and its up-to-date docs/zh/02-layers.md."""
    (tmp_path / "docs" / "zh").mkdir(parents=True)
    english = tmp_path / "docs" / "02-layers.md"
    english.write_text(ENGLISH, encoding="utf-8")
    chinese = tmp_path / "docs" / "zh" / "02-layers.md"
    header = f"<!-- translation of docs/02-layers.md at sha256 {tr.fingerprint(english)} -->\n"
    chinese.write_text(header + CHINESE_BODY, encoding="utf-8")
    return tmp_path, english, chinese


# ----------------------------------------------------------------- the checks, on small files

def test_an_up_to_date_translation_passes(pair):
    root, english, chinese = pair
    assert tr.version_problem(chinese, root) is None
    assert tr.block_problem(chinese, english, root) is None
    assert tr.english_of(chinese, root) == english and tr.twin(english, root) == chinese


def test_an_english_edit_without_its_translation_fails(pair):
    root, english, chinese = pair
    english.write_text(ENGLISH.replace("Prose.", "Prose, edited."), encoding="utf-8")
    problem = tr.version_problem(chinese, root)
    assert "docs/02-layers.md changed since docs/zh/02-layers.md was translated" in problem
    assert "bring the translation up to date" in problem
    assert "sha256sum docs/02-layers.md | cut -c1-12" in problem


@pytest.mark.parametrize("first_line", ["", "<!-- translation of docs/02-layers.md -->\n",
                                        "<!-- translation of docs/05-training.md at sha256 "
                                        "0123456789ab -->\n"])
def test_a_missing_or_wrong_header_fails(pair, first_line):
    root, _, chinese = pair
    chinese.write_text(first_line + CHINESE_BODY, encoding="utf-8")
    assert "its first line must be '<!-- translation of docs/02-layers.md at sha256" in \
        tr.version_problem(chinese, root)


@pytest.mark.parametrize("old, new, says", [
    ("Model: ...", "模型：...", "docs/zh/02-layers.md: code block 2 differs from "
                               "docs/02-layers.md's: its line 2 is '模型：...', the English "
                               "line is 'Model: ...'"),
    ("```console", "```sh", "code block 2 differs from docs/02-layers.md's: its language is "
                            "```sh, the English block's ```console"),
    (">>> 1 + 1\n2", ">>> 1 + 1\n3", "code block 1 differs"),
    (">>> 1 + 1\n2\n", ">>> 1 + 1\n", "its line 2 is '(the end)', the English line is '2'"),
    ("\n```console\n$ npvae summary\nModel: ...\n```\n", "",
     "has 1 code blocks, docs/02-layers.md has 2"),
    ("正文。", "正文。\n\n```text\n多出来的\n```", "code block 1 differs"),
])
def test_a_code_block_that_differs_fails(pair, old, new, says):
    root, english, chinese = pair
    chinese.write_text(chinese.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    problem = tr.block_problem(chinese, english, root)
    assert problem and says in problem, problem


def test_the_missing_twins_are_named(pair):
    root, english, _ = pair
    (root / "README.md").write_text("# npvae\n")
    (root / "docs" / "glossary.md").write_text("# Glossary\n")
    assert tr.missing_twins(root) == ["README.zh-CN.md", "docs/zh/glossary.md"]


# ----------------------------------------------------------------- the real files

@pytest.mark.parametrize("chinese", CHINESE, ids=IDS)
def test_each_translation_is_of_the_english_as_it_is(chinese):
    problem = tr.version_problem(chinese)
    assert problem is None, problem


@pytest.mark.parametrize("chinese", CHINESE, ids=IDS)
def test_each_translation_has_the_english_code_blocks(chinese):
    problem = tr.block_problem(chinese, tr.english_of(chinese))
    assert problem is None, problem


def test_every_english_page_has_its_chinese_twin():
    missing = tr.missing_twins()
    assert not missing, f"not translated yet: {', '.join(missing)} (see /work/zh-guide.md)"
