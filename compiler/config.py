"""Configuration: `[tool.flowc]` in a pyproject.toml, or a flowc.toml, the nearest to each
checked file winning (flowc.toml before pyproject.toml in one directory), as ruff does.

    [tool.flowc]
    select = ["ALL"]                 # codes, code prefixes (S, S1, R107), rule names, or ALL
    ignore = ["D"]
    extend-select = []
    per-file-ignores = {"flows/legacy/*.yaml" = ["D001"]}
    target-version = "1.3"
    paths = ["flows"]                # what `flowc check` with no path checks
    exclude = ["flows/drafts/*"]     # skipped when directories are searched
    schema-dirs = ["schemas/plugins"] # JSON schemas of in-house plugin types
    strict = false                   # true: plugins flowc does not know are errors

    [tool.flowc.plugin-defaults."io.kestra.plugin.jdbc.postgresql"]   # `flowc run` only: a type or
    url = "jdbc:postgresql://localhost:5432/ny_taxi"                 # package prefix, and the values
                                                                     # that win over the flow's own

Unknown keys and bad values raise ConfigError naming the file and line (exit 2).
"""
from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import all_rules
from .settings import DEFAULT_TARGET

FILES = ("flowc.toml", "pyproject.toml")
_LISTS = ("select", "ignore", "extend-select", "paths", "exclude", "schema-dirs")
KEYS = (*_LISTS, "per-file-ignores", "target-version", "strict", "plugin-defaults")


class ConfigError(Exception):
    """A configuration file that cannot be used: its message names the file and line."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file it was read from; None: the defaults
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    target_version: str | None = None
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    schema_dirs: tuple[Path, ...] = ()
    strict: bool = False
    # `flowc run`'s overrides: (type or package prefix, property, value as JSON text)
    plugin_defaults: tuple[tuple[str, str, str], ...] = ()
    _cache: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def root(self) -> Path:
        """The directory globs and paths are relative to."""
        return self.path.parent if self.path is not None else Path.cwd()

    def enabled(self, code: str, name: str, file: str) -> bool:
        key = (code, file)
        if key not in self._cache:
            selected = _matches(self.select + self.extend_select, code, name)
            ignored = _matches(self.ignore + self.file_ignores(file), code, name)
            self._cache[key] = selected and not ignored
        return self._cache[key]

    def file_ignores(self, file: str) -> tuple[str, ...]:
        relative = _relative(Path(file), self.root)
        found: tuple[str, ...] = ()
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(file).name, pattern):
                found += codes
        return found

    def excluded(self, path: Path) -> bool:
        relative = _relative(path, self.root)
        return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p.rstrip("/") + "/*") for p in self.exclude)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _matches(selectors, code: str, name: str) -> bool:
    return any(s == "ALL" or code.startswith(s) or s == name for s in selectors)


def describe(config: Config) -> str:
    """The resolved settings, as `flowc check --show-settings` prints them (TOML)."""
    def toml_list(values) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    lines = [f"# from {config.path}" if config.path else "# defaults (no configuration file found)", "[tool.flowc]"]
    lines.append(f"select = {toml_list(config.select)}")
    lines.append(f"extend-select = {toml_list(config.extend_select)}")
    lines.append(f"ignore = {toml_list(config.ignore)}")
    lines.append("per-file-ignores = {" + ", ".join(f'"{p}" = {toml_list(c)}' for p, c in config.per_file_ignores) + "}")
    lines.append(f'target-version = "{config.target_version or DEFAULT_TARGET}"')
    lines.append(f"paths = {toml_list(config.paths)}")
    lines.append(f"exclude = {toml_list(config.exclude)}")
    lines.append(f"schema-dirs = {toml_list(str(d) for d in config.schema_dirs)}")
    lines.append(f"strict = {'true' if config.strict else 'false'}")
    for type_name in dict.fromkeys(t for t, _, _ in config.plugin_defaults):
        lines.append(f'[tool.flowc.plugin-defaults."{type_name}"]')
        lines.extend(f"{prop} = {value}" for t, prop, value in config.plugin_defaults if t == type_name)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reading

_found: dict[Path, Config] = {}


def for_directory(directory: Path) -> Config:
    """The configuration that applies to files of `directory`: the nearest config file."""
    directory = directory.resolve()
    if directory not in _found:
        config = None
        for name in FILES:
            candidate = directory / name
            if candidate.is_file():
                config = load(candidate)
                if config is not None:
                    break
        if config is None:
            config = for_directory(directory.parent) if directory.parent != directory else Config()
        _found[directory] = config
    return _found[directory]


def load(path: Path) -> Config | None:
    """Read one file; None for a pyproject.toml without `[tool.flowc]`."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("flowc")
        if data is None:
            return None
    return from_mapping(data, path, text)


def from_mapping(data: dict, path: Path, text: str = "") -> Config:
    def fail(key: str, message: str):
        raise ConfigError(f"{path}:{_line_of(text, key)}: {message}")

    if not isinstance(data, dict):
        fail("flowc", "the flowc settings must be a table")
    for key in data:
        if key not in KEYS:
            fail(key, f"unknown key `{key}`; the keys are: {', '.join(KEYS)}")
    for key in _LISTS:
        value = data.get(key, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            fail(key, f"`{key}` must be a list of strings")
    for key in ("select", "ignore", "extend-select"):
        for selector in data.get(key, []):
            if not valid_selector(selector):
                fail(key, f"`{selector}` in `{key}` is not a rule code, prefix or name (see `flowc rules`)")
    per_file = data.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        fail("per-file-ignores", "`per-file-ignores` must be a table of glob = [codes]")
    for pattern, codes in per_file.items():
        if not (isinstance(codes, list) and all(isinstance(c, str) for c in codes)):
            fail(pattern, f"`per-file-ignores` for `{pattern}` must be a list of codes")
        for code in codes:
            if not valid_selector(code):
                fail(pattern, f"`{code}` in `per-file-ignores` is not a rule code, prefix or name")
    target = data.get("target-version")
    if target is not None:
        from .settings import parse_version

        try:
            parse_version(str(target))
        except ValueError as e:
            fail("target-version", str(e))
    if not isinstance(data.get("strict", False), bool):
        fail("strict", "`strict` must be true or false")
    plugin_defaults = data.get("plugin-defaults", {})
    if not (isinstance(plugin_defaults, dict) and all(isinstance(v, dict) for v in plugin_defaults.values())):
        fail("plugin-defaults", "`plugin-defaults` must be a table of type = {property = value}")
    schema_dirs = tuple(path.parent / d for d in data.get("schema-dirs", []))
    for key_dir, given in zip(schema_dirs, data.get("schema-dirs", [])):
        if not key_dir.is_dir():
            fail("schema-dirs", f"schema directory `{given}` does not exist")
    return Config(
        path=path,
        select=tuple(data.get("select", ["ALL"])),
        ignore=tuple(data.get("ignore", [])),
        extend_select=tuple(data.get("extend-select", [])),
        per_file_ignores=tuple((p, tuple(c)) for p, c in per_file.items()),
        target_version=str(target) if target is not None else None,
        paths=tuple(data.get("paths", [])),
        exclude=tuple(data.get("exclude", [])),
        schema_dirs=schema_dirs,
        strict=data.get("strict", False),
        plugin_defaults=tuple((type_name, prop, json.dumps(value, default=str))
                              for type_name, values in plugin_defaults.items() for prop, value in values.items()),
    )


def valid_selector(selector: str) -> bool:
    return selector == "ALL" or bool(selector) and any(r.code.startswith(selector) or r.name == selector for r in all_rules())


def _line_of(text: str, key: str) -> int:
    m = re.search(rf'(?m)^[ \t]*["\']?{re.escape(key)}["\']?\s*=', text) or re.search(rf'(?m)^.*{re.escape(key)}', text)
    return text.count("\n", 0, m.start()) + 1 if m else 1
