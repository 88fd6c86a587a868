"""Prompt packs: compiled role programs in a folder, with what they were compiled on and how they scored.

A pack is a folder::

    PACK/pack.toml                        what each program is for, how it was made, before/after
    PACK/reviewer/<model>.json            one program, saved with DSPy's own ``save`` (JSON state)
    PACK/gra.db                           every model call the compilation made (``gra optimize``)

``pack.toml`` has one ``[[programs]]`` table per program (role, model, file, optimizer and
its settings, train and val files with their sha256, DSPy version, metric before and after
on the held-out split) and, from ``gra optimize --role team``, a ``[reliability]`` table: each
member's judging agreement with the labels. A program is keyed by (role, model), so every
member that runs the model uses it. Writing a program into a pack that holds one for the same
key replaces it; the rest stay.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gra_agents.calibration import MemberCalibration
from runtime.config import Pool
from runtime.errors import GraError
from runtime.files import atomic_path
from runtime.settings import ConfigError, SynthConfig

PACK_FILE = "pack.toml"
#: Packs that ship with gra, by name (``--prompts cpu``).
BUILTIN_PACKS = Path(__file__).resolve().parents[1] / "pools" / "packs"
#: The roles a pack may hold programs for (their modules: runtime.pipeline.programs).
ROLES = ("reviewer", "adjudicator", "annotator", "generator", "verifier")


class PackError(GraError, ValueError):
    """A prompt pack that cannot be used; ``str()`` is the one-line message for the user."""


class DataFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    sha256: str
    rows: int


class Program(BaseModel):
    """One compiled program and how it was made."""

    model_config = ConfigDict(extra="forbid")
    role: str
    model: str
    file: str
    optimizer: str
    settings: dict[str, Any] = Field(default_factory=dict)
    metric: str
    before: float | None = None
    after: float | None = None
    train: DataFile
    val: DataFile
    calls: int = 0
    dspy_version: str = ""

    @property
    def key(self) -> str:
        """How ``lm_calls.program`` names it: ``role/model``."""
        return f"{self.role}/{self.model}"


class Calibration(BaseModel):
    """One member's calibration (``gra calibrate``): its check cut and its score map, and what they were fitted on."""

    model_config = ConfigDict(extra="forbid")
    model: str
    fitted_on: str  # the member whose reviews were fitted; members of one model share its fit
    check_cut: float | None = None
    score_x: list[float] = Field(default_factory=list)
    score_y: list[float] = Field(default_factory=list)
    verifier: float | None = None  # balanced accuracy of its verification verdicts on the labelled rows
    score_auroc: float | None = None  # how well its expected sheets rank right above wrong on the labelled rows
    sound_flagged: float | None = None  # share of the sound training instructions its cut turns away
    broken_flagged: float | None = None  # share of the broken ones it catches
    reliability_bins: list[list[float]] = Field(default_factory=list)  # [P(right) said, right found, rows] per bin
    check_rows: int = 0
    score_rows: int = 0
    verified_rows: int = 0
    train: list[DataFile] = Field(default_factory=list)

    def member(self) -> MemberCalibration:
        return MemberCalibration(self.check_cut, tuple(self.score_x), tuple(self.score_y), self.verifier)


class PackFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programs: list[Program] = Field(default_factory=list)
    reliability: dict[str, float] = Field(default_factory=dict)
    calibration: dict[str, Calibration] = Field(default_factory=dict)


class Pack:
    """A pack read from its folder: the programs' records, the reliability table and the content digest."""

    def __init__(self, path: Path, spec: PackFile):
        self.path, self.spec = path, spec

    @property
    def programs(self) -> list[Program]:
        return self.spec.programs

    @property
    def reliability(self) -> dict[str, float]:
        return self.spec.reliability

    def calibration(self) -> dict[str, MemberCalibration]:
        """Each calibrated member's check cut and score map (``gra calibrate``)."""
        return {member: c.member() for member, c in self.spec.calibration.items()}

    def program(self, role: str, model: str) -> Program | None:
        return next((p for p in self.programs if p.role == role and p.model == model), None)

    def digest(self) -> str:
        """A hash of ``pack.toml`` and every program file: a run's fingerprint holds it."""
        h = hashlib.sha256((self.path / PACK_FILE).read_bytes())
        for p in sorted(self.programs, key=lambda p: p.file):
            h.update(p.file.encode() + b"\0" + (self.path / p.file).read_bytes())
        return h.hexdigest()[:16]


def read_pack(path: str | Path) -> Pack:
    """Read and check a pack folder; :class:`PackError` names the file and what is wrong."""
    path = Path(path)
    toml = path / PACK_FILE
    if not toml.is_file():
        raise PackError(f"{toml}: no such pack file (a pack is a folder written by gra optimize)")
    try:
        spec = PackFile.model_validate(tomllib.loads(toml.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{toml}: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PackError(f"{toml}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    for p in spec.programs:
        if p.role not in ROLES:
            raise PackError(f"{toml}: program {p.key}: role must be one of {', '.join(ROLES)}")
        if not (path / p.file).is_file():
            raise PackError(f"{path / p.file}: program {p.key} is missing from the pack")
    return Pack(path, spec)


def pack_folder(prompts: str) -> Path:
    """The folder ``--prompts`` names: a shipped pack's (``cpu``) if there is one of that name, else the path."""
    shipped = BUILTIN_PACKS / prompts
    return shipped if shipped.is_dir() else Path(prompts)


def resolve_pack(prompts: str | None, pool: Pool, pool_path: Path) -> Pack | None:
    """The pack a run uses: ``--prompts`` as a folder or a shipped pack's name (``cpu``), ``none`` for the default
    demos; without ``--prompts``, the pool file's own pack, if it names one: a folder relative to the pool file,
    else a shipped pack's name (so a copy of a shipped pool file keeps its pack)."""
    if prompts == "none":
        return None
    if prompts is not None:
        return read_pack(pack_folder(prompts))
    if pool.prompts is None:
        return None
    own, shipped = pool_path.parent / pool.prompts, BUILTIN_PACKS / pool.prompts
    return read_pack(shipped if shipped.is_dir() and not own.is_dir() else own)


def prompts_for(config: SynthConfig, pool: Pool, pool_path: Path) -> Pack | None:
    """The pack a run uses (:func:`resolve_pack`), refused with one line when its switches need what it lacks."""
    pack = resolve_pack(config.prompts, pool, pool_path)
    if config.roles == "reliability" and not (pack and pack.reliability):
        where = f"{pack.path / PACK_FILE} has no [reliability] table" if pack else "no prompt pack is in use"
        raise ConfigError(f"--roles reliability draws by measured reliability, but {where} (gra optimize --role team)")
    return pack


def describe(pack: Pack | None) -> str:
    """The pack in one line for a run's header."""
    if pack is None:
        return "prompts: default demos"
    return f"prompts: {pack.path} ({len(pack.programs)} programs, {pack.digest()})"


def data_file(path: Path, rows: int) -> DataFile:
    """A training file as a pack records it: its path relative to the working directory where it lies under it
    (a pack shipped in a repository names no folder of the machine that made it), its sha256 and its rows."""
    shown = Path(os.path.relpath(path.resolve())) if path.resolve().is_relative_to(Path.cwd().resolve()) else path
    return DataFile(path=str(shown), sha256=hashlib.sha256(path.read_bytes()).hexdigest(), rows=rows)


def model_slug(model: str) -> str:
    """A file-name-safe form of a model name."""
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in model)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer of ``pack.toml`` at a time (several ``gra optimize`` may fill one pack)."""
    path.mkdir(parents=True, exist_ok=True)
    with open(path / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _current(path: Path) -> PackFile:
    toml = path / PACK_FILE
    return read_pack(path).spec if toml.is_file() else PackFile()


def _write(path: Path, spec: PackFile) -> None:
    with atomic_path(path / PACK_FILE) as tmp:
        tmp.write_text(tomli_w.dumps(spec.model_dump(exclude_none=True)), encoding="utf-8")


def write_program(path: Path, program: Program, module: Any) -> None:
    """Save ``module`` (a DSPy module, with its own ``save``) as ``program`` in the pack at ``path``, replacing any
    program with its key."""
    with _locked(path):
        spec = _current(path)
        target = path / program.file
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.stem}-{os.getpid()}.json")  # DSPy picks the format by the suffix
        try:
            module.save(str(tmp))
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        spec.programs = [p for p in spec.programs if p.key != program.key] + [program]
        _write(path, spec)


def write_calibration(path: Path, calibration: dict[str, Calibration]) -> None:
    """Record members' calibration in the pack (members not given keep theirs)."""
    with _locked(path):
        spec = _current(path)
        spec.calibration = spec.calibration | calibration
        _write(path, spec)


def write_reliability(path: Path, reliability: dict[str, float]) -> None:
    """Record each member's judging reliability in the pack (members not given keep their value)."""
    with _locked(path):
        spec = _current(path)
        spec.reliability = spec.reliability | reliability
        _write(path, spec)
