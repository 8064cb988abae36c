"""What every command of the CLI shares: the registry of commands, the parser that speaks
the user's language, the flags of settings, filters and dates read the same way, strict JSON
out. ``analysis/cli.py`` (the seven pinned commands) and the command groups beside this module
(``campaign``) import it, so neither imports the other."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Callable

from analysis import i18n
from analysis.errors import UserError
from analysis.i18n import t

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def _print_json(obj) -> None:
    print(strict_json(obj, indent=2))


def strict_json(obj, indent: int | None = None) -> str:
    """``obj`` as strict JSON (RFC 8259): a missing value (None, NaN, NaT, pandas NA) is
    ``null``, and so is an infinite number, which JSON cannot write; dates are ISO text."""
    return json.dumps(_json_ready(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def _json_ready(value):
    import math

    # NumPy's and pandas's values exist only once they are imported: a command that never
    # loaded them (`log`) does not load them to write its JSON.
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if value is None or (pd is not None and (value is pd.NaT or value is pd.NA)):
        return None
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return bool(value)
    if isinstance(value, int) or (np is not None and isinstance(value, np.integer)):
        return int(value)
    if isinstance(value, float) or (np is not None and isinstance(value, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.date, dt.datetime)):  # pandas Timestamps included
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _existing_db(path: str, read_only: bool):
    """Open an existing workspace; a missing file is the user's error, not a new workspace.
    Readers open it read-only, so they work while the app or another reader has it open;
    a writer waits a few seconds for another program's lock, then it is a user error
    (``WorkspaceBusy``, see analysis.store)."""
    from analysis.store import Workspace, check_file_name

    check_file_name(path)
    if not Path(path).exists():
        raise UserError(t("workspace {path} does not exist (create it with `ingest` or `demo`)", path=path))
    return Workspace(path, read_only=read_only)


EARLIEST_DAY = dt.date(1900, 1, 1)  # no date before it is data (import refuses it too)


def _day(value: str | None, flag: str) -> dt.date | None:
    """A YYYY-MM-DD flag as a date; anything else is the user's error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(t("{flag} {value!r} is not a date; expected YYYY-MM-DD, e.g. 2024-06-30", flag=flag,
                          value=value)) from None


def _dates(tables, args: argparse.Namespace) -> dt.date | None:
    """The ``--as-of`` date, checked with ``--holdout`` against the days of the data: the as-of
    date must be one of them (from the first to the last purchase or contact, as in the app),
    the holdout's calibration end one before it. None: the default as-of date. ``tables``:
    the data's tables, or a workspace (:func:`analysis.identify.facts.data_range`: its days
    then read by plain SQL, as the app's sidebar reads them, no engine backend loaded)."""
    from analysis.identify.facts import data_range

    as_of = _day(args.as_of, "--as-of")
    holdout = _day(getattr(args, "holdout", None), "--holdout")
    if as_of is None and holdout is None:
        return None
    first, last = data_range(tables) or (EARLIEST_DAY, dt.date.today())
    if as_of is not None and not first <= as_of <= last:
        raise UserError(t("--as-of {day} is outside this workspace's data, which runs from {first} to {last}; give a "
                          "date in that range, or leave --as-of out for the last one", day=as_of.isoformat(),
                          first=first.isoformat(), last=last.isoformat()))
    end = as_of or last
    if holdout is not None and not first <= holdout < end:
        raise UserError(t("--holdout {day} must be a day of this workspace's data before the as-of date {end} (the "
                          "data starts on {first})", day=holdout.isoformat(), end=end.isoformat(),
                          first=first.isoformat()))
    return as_of


def _parse_map(items: list[str]) -> dict[str, str]:
    overrides = {}
    for item in items or []:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UserError(t("--map expects FIELD=COLUMN, got {item!r}", item=item))
        overrides[field.strip()] = column.strip()
    return overrides


def _add_filters(p: argparse.ArgumentParser) -> None:
    """Filters shared by `actions` and `export`: each narrows the customer list."""
    p.add_argument("--tier", action="append",
                   help=t("pyramid tier (top, big, medium, small, inactive, prospect, suspect)"))
    p.add_argument("--cell", action="append", help=t("matrix cell as VOLUME/SATISFACTION, e.g. high/low"))
    p.add_argument("--cluster", action="append", help=t("cluster persona name"))
    p.add_argument("--segment", action="append", help=t("RFM segment name"))
    p.add_argument("--region", action="append", help=t("region of the customer"))
    p.add_argument("--action", action="append", dest="action_kind", help=t("action id, e.g. win_back"))
    p.add_argument("--as-of", help=t("as-of date YYYY-MM-DD (default: the last purchase or contact)"))


SETTINGS_FLAGS_SKIP = {"window_months", "margin", "currency"}  # own flags below / not numeric
ACTION_FLAGS = ("fatigue_cap", "fatigue_days", "cooloff_days", "overdue_factor", "p_alive_threshold")


def _add_settings(p: argparse.ArgumentParser) -> None:
    """The analysis settings every figure depends on, each with the app's default: one flag per
    numeric field of SegmentSettings and the playbook's main ActionSettings."""
    from analysis.settings import ActionSettings, SegmentSettings

    g = p.add_argument_group(t("settings (defaults as in the app)"))
    g.add_argument("--window-months", type=int, default=12, help=t("activity window in months"))
    g.add_argument("--margin", type=float, default=None, help=t("gross margin on net revenue, e.g. 0.3"))
    g.add_argument("--k", type=int, default=None, help=t("number of clusters (default: chosen by silhouette)"))
    g.add_argument("--currency", default=None,
                   help=t("currency of the amounts, a code or symbol (GBP, £); default: the workspace's"))
    for f in dataclasses.fields(SegmentSettings):
        if f.name not in SETTINGS_FLAGS_SKIP:
            g.add_argument("--" + f.name.replace("_", "-"), dest=f.name, type=type(f.default), default=None,
                           metavar="N", help=t("default {value}", value=f.default))
    defaults = ActionSettings()
    for name in ACTION_FLAGS:
        value = getattr(defaults, name)
        g.add_argument("--" + name.replace("_", "-"), dest=name, type=type(value), default=None,
                       metavar="N", help=t("default {value}", value=value))


def _currency(args: argparse.Namespace, ws=None) -> str:
    """The symbol amounts are written with: ``--currency`` (an ISO code or a sign: ``GBP``,
    ``£``; anything else is used as it is written), else the workspace's currency, else none."""
    from analysis import money

    given = getattr(args, "currency", None)
    if given is not None:
        code = money.code_of(given)
        return money.symbol(code) if code else given
    return money.symbol(ws.currency() if ws is not None else None)


def _settings(args: argparse.Namespace, ws=None):
    """(ReportSettings, ActionSettings) from the flags, in the currency of ``--currency`` or
    of the workspace ``ws``; a bad combination is a user error."""
    from analysis.settings import ActionSettings, ReportSettings

    _day(getattr(args, "holdout", None), "--holdout")
    try:
        report = ReportSettings.from_args(args, currency=_currency(args, ws))
        action = ActionSettings(window_months=report.window_months, currency=report.currency, **{
            n: getattr(args, n) for n in ACTION_FLAGS if getattr(args, n, None) is not None})
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    return report, action


def _filters(args: argparse.Namespace) -> dict:
    return {
        "tier": args.tier,
        "cell": args.cell,
        "cluster_name": args.cluster,
        "rfm_segment": args.segment,
        "region": args.region,
        "action": args.action_kind,
    }


def _add_progress(p: argparse.ArgumentParser) -> None:
    """``--progress``: the stages of a long command on stderr (issue 15 §4)."""
    p.add_argument("--progress", action="store_true",
                   help=t("write each stage of the work to stderr, also with --json (default: only on a terminal "
                          "and without --json)"))


def _reporter(args: argparse.Namespace):
    """Where a command's stages go (:mod:`analysis.progress`): stderr with ``--progress``,
    or without ``--json`` when stderr is a terminal; else nowhere. Decision: a pipe or a log
    without ``--progress`` keeps its stderr for ``error:`` lines only, as before."""
    from analysis.progress import Stderr, silent

    wanted = getattr(args, "progress", False) or (not getattr(args, "json", False) and sys.stderr.isatty())
    return Stderr() if wanted else silent


class _Parser(argparse.ArgumentParser):
    """Usage mistakes follow the same rule as other user errors: one `error:` line, exit 2."""

    def error(self, message: str):
        print("error: " + t("{prog}: {message} (see --help)", prog=self.prog, message=message), file=sys.stderr)
        sys.exit(2)


LANG_ENV = "ONE_TO_ONE_LANG"


def _add_lang(p: argparse.ArgumentParser, default) -> None:
    p.add_argument("--lang", choices=sorted(i18n.LANGUAGES), default=default,
                   help=t("language of the output and error lines: en or zh (default: ${env}, else en)", env=LANG_ENV))


def language_of(argv: list[str]) -> str:
    """The language a command runs in: ``--lang`` anywhere on the line, else ``$ONE_TO_ONE_LANG``,
    else English. Known before parsing, so that help texts and usage errors follow it too."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in i18n.LANGUAGES:
            return value
    return i18n.normalise(os.environ.get(LANG_ENV))
