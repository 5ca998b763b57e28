"""What `flowc check` checks and how: the files (the paths given, or the configuration's,
minus its excludes), and for each file its configuration (the nearest config file, or
--config, with the command-line flags over it), settings and plugin registry.

Each file is checked once, by itself: its result comes from the cache when the file and
what its result depends on are unchanged (compiler.cache), else from worker processes
when many files need checking (compiler.parallel), else from this process. The cross-flow
pass, suppressions and rule selection then run over all the results, in the order of the
files, whichever way each was made."""
from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from .config import Config, ConfigError, for_directory, load, valid_selector
from .errors import UsageError
from .settings import DEFAULT_TARGET, Settings, parse_version


class Plan:
    def __init__(self, args) -> None:
        self.args = args
        self.explicit = None
        if args.config:
            self.explicit = load(Path(args.config)) if Path(args.config).is_file() else None
            if self.explicit is None:
                raise UsageError(f"{args.config} is not a flowc.toml or a pyproject.toml with [tool.flowc]")
        self.overrides = {}
        for flag in ("select", "extend_select", "ignore"):
            codes = tuple(c.strip() for c in (getattr(args, flag) or "").split(",") if c.strip())
            for code in codes:
                if not valid_selector(code):
                    raise UsageError(f"--{flag.replace('_', '-')}: `{code}` is not a rule code, prefix or name (see `flowc rules`)")
            self.overrides[flag] = codes
        if args.target_version:
            try:
                parse_version(args.target_version)
            except ValueError as e:
                raise UsageError(str(e)) from None
        self._configs: dict[int, Config] = {}
        self._by_directory: dict[str, Config] = {}
        here = self.config_of(Path.cwd() / "-")
        self.root = here.root  # where the cache lives: the directory of the nearest config file
        self.paths = args.paths or [os.path.relpath(here.root / p) for p in here.paths] or ["."]

    def config_of(self, path: Path) -> Config:
        """The configuration of a file: the nearest config file's (or --config), flags over it."""
        directory = str(path.parent)
        if directory in self._by_directory:  # the files of a directory share it: look it up once
            return self._by_directory[directory]
        base = self.explicit or for_directory(path.parent)
        if id(base) not in self._configs:
            o, a = self.overrides, self.args
            self._configs[id(base)] = replace(
                base, select=o["select"] or base.select, extend_select=base.extend_select + o["extend_select"],
                ignore=base.ignore + o["ignore"], target_version=a.target_version or base.target_version,
                strict=a.strict if a.strict is not None else base.strict)
        self._by_directory[directory] = self._configs[id(base)]
        return self._by_directory[directory]

    def find(self):
        from .discovery import PathError, find_flows

        def excluded(path: Path) -> bool:
            config = self.config_of(path)
            return bool(config.exclude) and config.excluded(path)

        try:
            return find_flows(self.paths, excluded=excluded)
        except PathError as e:
            raise UsageError(str(e)) from None

    def settings(self, config: Config) -> Settings:
        return settings_for(config)

    def registry(self, config: Config):
        return registry_for(config)

    def _path(self, item) -> Path:
        return Path.cwd() / "-" if item.display == "-" else Path(item.path)

    def check_one(self, item):
        from .checker import check_bytes, check_file

        config = self.config_of(self._path(item))
        if item.display == "-":
            return check_bytes(sys.stdin.buffer.read(), self.args.stdin_filename, self.registry(config), project=False,
                               settings=self.settings(config))
        return check_file(item.path, item.display, self.registry(config), settings=self.settings(config))

    def check(self, found) -> list:
        """Check every file, then the project; keep what each file's configuration selects."""
        from .checker import check_project

        results = check_project(self.check_files(found), ignores=not self.args.no_ignores)
        return [self.select(result, self._path(item)) for result, item in zip(results, found)]

    def check_files(self, found) -> list:
        """Each file's own result, in the order of `found`. With --show-graph the results keep
        their flow models: the files are checked here, without the cache."""
        from .checker import check_file
        from .parallel import Job, check, check_all, worth_it
        from .result_data import from_data, to_data

        models = bool(getattr(self.args, "show_graph", False))
        cache = None if models or getattr(self.args, "no_cache", False) else self.cache()
        results: list = [None] * len(found)
        pending = []  # (index, item, job, cache key)
        contexts: dict[int, str] = {}
        for index, item in enumerate(found):
            if item.display == "-":
                results[index] = self.check_one(item)
                continue
            config = self.config_of(Path(item.path))
            data = _read(item.path)
            if data is None:  # unreadable, or too large to be a flow: check_file says which
                results[index] = check_file(item.path, item.display, self.registry(config), settings=self.settings(config))
                continue
            key = None
            if cache is not None:
                if id(config) not in contexts:
                    contexts[id(config)] = cache.context(self.settings(config), config.schema_dirs)
                key = cache.key(contexts[id(config)], item.display, data)
                stored = cache.get(item.path, key)
                if stored is not None:
                    try:
                        results[index] = from_data(stored, item.display, _text(data))
                        continue
                    except ValueError:
                        cache.forget(item.path)  # written by a flowc that stored it otherwise: check again
            pending.append((index, item, Job(item.display, data, self.settings(config), config), key))
        if not models and worth_it(len(pending)):
            outputs = check_all([job for _, _, job, _ in pending])
            for (index, item, job, key), data in zip(pending, outputs):
                results[index] = from_data(data, job.display, _text(job.data))
                if cache is not None:
                    cache.put(item.path, key, data)
        else:
            for index, item, job, key in pending:
                results[index] = check(job)
                if cache is not None:
                    cache.put(item.path, key, to_data(results[index]))
        if cache is not None:
            cache.save()
        return results

    def cache(self):
        from .cache import Cache

        elsewhere = os.environ.get("FLOWC_CACHE_DIR")
        return Cache(self.root, Path(elsewhere) if elsewhere else None)

    def select(self, result, path: Path):
        config = self.config_of(path)
        if "ALL" in config.select and not config.ignore and not config.per_file_ignores:
            return result  # every rule is enabled
        result.diagnostics = [d for d in result.diagnostics if config.enabled(d.code, d.name, str(path))]
        return result


def _read(path) -> bytes | None:
    """A file's bytes; None when it cannot be read or is too large to be a flow."""
    from .source import MAX_FILE_BYTES

    try:
        if os.stat(path).st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _text(data: bytes) -> str:
    """The text the reporters quote, as compiler.source reads it (no byte order mark; none
    when the file is not UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return text[1:] if text.startswith("\ufeff") else text


_registries: dict[tuple, object] = {}


def settings_for(config: Config) -> Settings:
    """The options of a check under a configuration (target Kestra version, strictness)."""
    return Settings(config.target_version or DEFAULT_TARGET, config.strict)


def registry_for(config: Config):
    """The plugin registry of a configuration: the core types, and its schema-dirs' types."""
    from .registry import Registry, default_registry

    if not config.schema_dirs:
        return default_registry()
    if config.schema_dirs not in _registries:
        try:
            _registries[config.schema_dirs] = Registry(extra_dirs=config.schema_dirs)
        except (KeyError, ValueError, TypeError, OSError) as e:
            raise ConfigError(f"{config.path}: a file of schema-dirs is not a plugin schema "
                              f"(a JSON object with `title` and `$kind`, see schemas/README.md): {e}") from None
    return _registries[config.schema_dirs]
