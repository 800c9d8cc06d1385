"""The exercises in Chinese (issue #33, item 5): ``start NAME --lang zh`` writes the stub
of npvae/exercises/stubs/zh/ (its docstrings and comments in Chinese, its code the
English stub's), ``hint NAME --lang zh`` the module's HINTS_ZH; ``--lang`` defaults to
English whatever the locale. A stub not translated yet is the English one, under a line
that says so in Chinese."""
import ast

import pytest
from exercise_answers import RIGHT

import npvae.exercises as ex
from npvae import cli
from npvae.exercises.exercise import NOT_TRANSLATED, STUBS

TRANSLATED = sorted(path.stem for path in (STUBS / "zh").glob("*.py") if path.stem != "__init__")


def code_of(source):
    """The AST of ``source`` with its docstrings removed, dumped: the code, not the words
    (comments are not in an AST either)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def run(capsys, *argv):
    code = cli.main(["exercise", *map(str, argv)])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("name", TRANSLATED)
def test_a_chinese_stub_is_the_english_code(name):
    chinese = (STUBS / "zh" / f"{name}.py").read_text(encoding="utf-8")
    assert name in ex.NAMES
    assert code_of(chinese) == code_of(ex.get(name).stub), \
        f"stubs/zh/{name}.py: its code differs from stubs/{name}.py's (only docstrings " \
        f"and comments are translated)"
    assert chinese.startswith(f'"""练习 {name}') and f"hint {name} --lang zh" in chinese


def test_the_code_comparison_sees_code_not_words():
    english = '"""Doc."""\nimport numpy as np\n\n\ndef f(x):\n    """Doc."""\n    return x\n'
    chinese = english.replace("Doc.", "文档。").replace("return x", "return x  # 注释")
    assert code_of(chinese) == code_of(english)
    assert code_of(chinese.replace("return x", "return x + 1")) != code_of(english)


def test_start_dense_in_chinese_and_a_right_answer_passes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, _ = run(capsys, "start", "dense", "--dir", tmp_path, "--lang", "zh")
    path = tmp_path / "dense.py"
    stub = path.read_text(encoding="utf-8")
    assert code == 0 and stub.startswith('"""练习 dense：全连接层') and "反向传播" in stub
    path.write_text(stub + "\n" + RIGHT["dense"], encoding="utf-8")  # the later definitions win
    code, out = run(capsys, "check", "dense", "--dir", tmp_path)
    assert code == 0 and out.strip().endswith("passed, all 11 checks"), out


def test_english_is_the_default_whatever_the_locale(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    run(capsys, "start", "kl", "--dir", tmp_path)
    assert (tmp_path / "kl.py").read_text(encoding="utf-8") == ex.get("kl").stub
    _, out = run(capsys, "hint", "kl")
    assert out.startswith("1. exp(log_var) is the variance")


def test_hints_in_chinese(capsys):
    code, out = run(capsys, "hint", "kl", "--lang", "zh")
    assert code == 0 and out.startswith("1. exp(log_var) 就是方差 sigma^2")
    assert len(out.strip().splitlines()) == len(ex.hints("kl"))


@pytest.mark.parametrize("name", ex.NAMES)
def test_each_exercise_has_its_hints_in_chinese(name):
    exercise = ex.get(name)
    assert len(exercise.hints_zh) == len(exercise.hints)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in hint) for hint in exercise.hints_zh)


@pytest.mark.parametrize("name", sorted(set(ex.NAMES) - set(TRANSLATED)) or ["(none)"])
def test_a_stub_not_translated_yet_is_the_english_under_a_note(name):
    if name == "(none)":
        pytest.skip("every stub is translated")
    assert ex.get(name).stub_in("zh") == NOT_TRANSLATED + ex.get(name).stub


def test_an_unknown_language_is_refused(capsys):
    with pytest.raises(SystemExit):
        cli.main(["exercise", "hint", "kl", "--lang", "fr"])
    assert "invalid choice: 'fr'" in capsys.readouterr().err
