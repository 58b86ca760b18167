"""The course as nbgrader_config.py sets it up, and the limits class grading works within."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
SECTION = "ClassGrader"
"""The section of nbgrader_config.py with the limits only class grading uses (nbgrader ignores it)."""


@dataclass(frozen=True)
class Limits:
    """What grading one submission may use, each read from nbgrader_config.py."""

    cell_timeout: int | None
    """Seconds one cell may run: nbgrader's ``c.Execute.timeout`` (None: no limit)."""
    submission_timeout: float
    """Seconds one ``nbgrader autograde`` may take: ``c.ClassGrader.submission_timeout``."""
    memory_limit_gb: float
    """GiB of address space for each grading process and its kernel: ``c.ClassGrader.memory_limit_gb``
    (0: no limit)."""

    @property
    def memory_limit_bytes(self) -> int | None:
        return int(self.memory_limit_gb * 2**30) if self.memory_limit_gb else None

    def overridden(self, **values) -> Limits:
        """These limits, with those of ``values`` that are not None in their place."""
        return replace(self, **{name: value for name, value in values.items() if value is not None})


@dataclass(frozen=True)
class Course:
    """An nbgrader course: the folder nbgrader runs in, its CourseDirectory, and its limits."""

    folder: Path
    coursedir: CourseDirectory
    limits: Limits
    timeout_error: dict
    """The error output nbgrader's Execute leaves in a cell it interrupted (``error_on_timeout``)."""

    @property
    def root(self) -> Path:
        return Path(self.coursedir.root)

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url


def load_course(folder: Path) -> Course:
    """The course configured by ``folder/nbgrader_config.py``, its root made absolute."""
    folder = folder.resolve()
    config_file = folder / CONFIG_FILE
    if not config_file.is_file():
        raise FileNotFoundError(f"no {CONFIG_FILE} in {folder}: run from the course's top folder or pass --course")
    config = PyFileConfigLoader(config_file.name, path=str(folder)).load_config()
    root = Path(config.CourseDirectory.get("root", "."))
    config.CourseDirectory.root = str(root if root.is_absolute() else (folder / root).resolve())
    # Execute as nbgrader builds it from this config: the configured timeout, or nbgrader's own default.
    execute = Execute(config=config)
    limits = Limits(execute.timeout, _number(config, "submission_timeout", config_file),
                    _number(config, "memory_limit_gb", config_file))
    return Course(folder, CourseDirectory(config=config), limits, dict(execute.error_on_timeout))


def _number(config: Config, name: str, config_file: Path) -> float:
    section = config[SECTION] if SECTION in config else {}
    if name not in section:
        raise ValueError(f"{config_file} does not set c.{SECTION}.{name}: add it (see the repository's {CONFIG_FILE})")
    value = section[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"c.{SECTION}.{name} in {config_file} must be a number >= 0, not {value!r}")
    return float(value)
