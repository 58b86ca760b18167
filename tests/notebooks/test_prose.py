"""Numbers the labs' prose states about their own code, derived from the code, so that neither
can drift from the other unnoticed."""

import ast
import re

import nbformat
import numpy as np
import pytest

from lab_utils import autodiff

from .conftest import SOURCE


def cells(name: str, kind: str) -> list[str]:
    return [c.source for c in nbformat.read(SOURCE / f"{name}.ipynb", as_version=4).cells if c.cell_type == kind]


def assigned(name: str, variable: str):
    """The value a code cell of the notebook assigns to ``variable`` (``np.array([...])`` read as its list)."""
    for source in cells(name, "code"):
        for node in ast.walk(ast.parse(source.replace("%matplotlib inline", ""))):
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [variable]:
                value = node.value
                if isinstance(value, ast.Call) and value.args:  # np.array([...])
                    value = value.args[0]
                return ast.literal_eval(value)
    raise AssertionError(f"{name} assigns no {variable}")


def test_lab_2_states_the_stability_limit_of_gradient_descent_on_its_own_data():
    """J(w, b) = mean((w x + b - y)^2) has the Hessian (2/m) [[sum x^2, sum x], [sum x, m]];
    gradient descent is stable for alpha < 2 / its largest eigenvalue."""
    x = np.array(assigned("02_adam", "x_train"), dtype=float)
    hessian = 2 / len(x) * np.array([[np.sum(x**2), np.sum(x)], [np.sum(x), len(x)]])
    limit = 2 / np.linalg.eigvalsh(hessian).max()
    prose = " ".join(cells("02_adam", "markdown"))
    assert f"2/λ_max ≈ {limit:.4f}" in prose
    tried = re.search(r"GradientDescent\(learning_rate=([0-9.]+)\)", prose)
    assert tried and float(tried.group(1)) > limit, "the learning rate the lab suggests trying must be above the limit"


def test_lab_1_changes_one_thing_at_a_time_and_w_gets_close_to_1_either_way():
    source = next(s for s in cells("01_gradient_tape", "code") if "runs = {" in s)
    runs = [(float(a), int(n)) for a, n in re.findall(r"alpha=([0-9.]+), iterations=(\d+)", source)]
    assert runs == [(0.01, 30), (0.01, 300), (0.1, 30)]
    prose = next(s for s in cells("01_gradient_tape", "markdown") if s.startswith("## Try more steps"))
    assert "ten times as many steps, or keep 30 steps with a ten times larger α" in " ".join(prose.split())
    for alpha, iterations in runs[1:]:
        assert autodiff.gradient_descent_with_tape(alpha=alpha, iterations=iterations)[-1] == pytest.approx(1, abs=0.01)
    assert autodiff.gradient_descent_with_tape(alpha=0.01, iterations=30)[-1] > 1.5  # "only half the way"


def test_lab_5_shows_the_baselines_while_the_training_loop_is_not_written(executed_release):
    nb = executed_release["05_movielens.ipynb"]
    cell = next(c for c in nb.cells if c.cell_type == "code" and "held-out RMSE" in c.source)
    assert not [o for o in cell.outputs if o.output_type == "error"], "the RMSE table fails without train_cofi"
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "train_cofi is not written yet" in text
    assert "global mean" in text and "movie mean" in text and "lu.train (its defaults)" in text
    assert "collaborative filtering (your loop)" not in text


def test_lab_6_holds_the_neighbours_to_the_ratings_threshold_it_states(executed_source):
    prose = " ".join(cells("06_related_movies", "markdown"))
    threshold = assigned("06_related_movies", "MIN_RATINGS")
    assert f"at least {threshold} ratings" in prose
    nb = executed_source["06_related_movies.ipynb"]
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("MIN_RATINGS"))
    table = next(o["data"]["text/plain"] for o in cell.outputs if o.output_type == "execute_result")
    lines = table.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["num_ratings"])
    counts = [int(line.split()[1]) for line in lines[header + 1:] if line.strip()]  # "row  num_ratings  distance"
    assert len(counts) == 10 and min(counts) >= threshold, table


def test_lab_4_lets_the_learner_try_each_gradient_on_the_example_before_its_check():
    nb = nbformat.read(SOURCE / "04_gradients.ipynb", as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id") for c in nb.cells]
    code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    loads = next(i for i, source in code if "example = tiny_example()" in source)
    for name in ("grad_X", "grad_W", "grad_b"):
        key = name.replace("_", "-")
        tried = next(i for i, source in code if f"= {name}(X, W, b, Y, R, lambda_)" in source)
        assert loads < ids.index(key) < tried < ids.index(f"test-{key}"), name


def test_lab_5_states_the_share_of_y_that_is_rated_from_the_data():
    import lab_utils as lu
    data = lu.load_movielens()
    share = round(100 * data.num_ratings / (data.num_movies * data.num_users))
    prose = " ".join(" ".join(cells("05_movielens", "markdown")).split())
    assert f"only {share} % of MovieLens 100K's Y is rated" in prose
