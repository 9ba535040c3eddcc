"""Every notebook in ``notebooks/`` runs top to bottom, offline, without an error.

Executed with nbclient on the ``python3`` kernel of this interpreter (ipykernel). The notebooks
are committed without outputs, so a diff shows code changes only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

nbformat = pytest.importorskip("nbformat", reason="needs nbclient, nbformat and ipykernel")
nbclient = pytest.importorskip("nbclient", reason="needs nbclient, nbformat and ipykernel")
pytest.importorskip("ipykernel", reason="needs ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Only a guard against a hung kernel; how long a notebook takes is not asserted (it depends on
#: the machine, so a timed assertion would flake).
TIMEOUT_SECONDS = 600
OFFLINE_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMGPT_MODEL", "LANGSMITH_API_KEY")


def notebook_names() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_the_walkthroughs_are_there() -> None:
    assert [name[:3] for name in notebook_names()] == ["01_", "02_", "03_", "04_", "05_", "06_"]


@pytest.mark.parametrize("name", notebook_names())
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{name}: strip outputs before committing (jupyter nbconvert "
                "--ClearOutputPreprocessor.enabled=True --inplace notebooks/*.ipynb)"
            )


@pytest.mark.parametrize("name", notebook_names())
def test_notebook_runs_offline_top_to_bottom(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in OFFLINE_ENV:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's temp data dirs land here
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError with the cell and traceback on failure
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    # the walkthroughs clean up after themselves: no data directories left in the temp dir
    assert not list(tmp_path.glob("memgpt-*"))
