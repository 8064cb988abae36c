"""Command line: ``python -m analysis ingest | report | demo | customer | actions | log | export``.

The flags and JSON keys of these commands are contracts checked by automation: add to them,
never rename. A user error prints one line starting ``error:`` on stderr and exits 2; the
workspace is left as it was. ``--lang zh`` (or ``ONE_TO_ONE_LANG=zh``) writes the
human-readable lines and the ``error:`` lines in Chinese; JSON keys never change.
"""

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
from analysis.errors import UserError, semicolons
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
    import datetime as dt
    import math

    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
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
    the holdout's calibration end one before it. None: the default as-of date."""
    from analysis.features import data_range

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
    from analysis.action_settings import ActionSettings
    from analysis.segment_settings import SegmentSettings

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
    from analysis.action_settings import ActionSettings
    from analysis.report import ReportSettings

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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=t("One-to-One marketing workspace tools"))
    _add_lang(parser, i18n.language())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("ingest", help=t("import CSV/TSV/TXT/XLSX/Parquet files into a workspace"))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help=t("use COLUMN of the file for FIELD (e.g. amount=dollar_value)"))
    p.add_argument("--skip-invalid", action="store_true", help=t("import the valid rows and report the rest"))
    p.add_argument("--allow-future-dates", action="store_true",
                   help=t("accept dates after the day of import (refused by default as typing errors)"))
    p.add_argument("--table", choices=["transactions", "customers", "interactions", "orders"],
                   help=t("import every sheet into this table instead of the one its columns suggest"))
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("demo", help=t("build the demo company into a new workspace"))
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--customers", type=int, default=None, help=t("number of listed customers"))
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("report", help=t("the workspace's figures as of a date"))
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--as-of", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.add_argument("--holdout", metavar="YYYY-MM-DD", help=t("calibration end for the CLV holdout check"))
    p.add_argument("--clv-model", choices=["auto", "bgnbd", "mbgnbd", "paretonbd", "nbd"], default="auto",
                   help=t("the purchase model; auto: the one with the lowest error on the last part of the history"))
    _add_settings(p)
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    p.add_argument("--source", metavar="PATH_OR_TABLE", help=t("with --engine spark: transactions Parquet or table"))
    p.add_argument("--local-rows", type=int, metavar="N", default=None,
                   help=t("fit the models on every customer up to N customers, above that on a fixed sample "
                          "of about N (default 200,000)"))

    p = sub.add_parser("customer", help=t("one customer's profile, events and suggested actions"))
    p.add_argument("customer_id")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--as-of", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    _add_settings(p)

    p = sub.add_parser("actions", help=t("top suggested actions across customers"))
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    _add_filters(p)
    _add_settings(p)

    p = sub.add_parser("log", help=t("record a contact with a customer"))
    p.add_argument("customer_id")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--kind", required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--satisfaction", type=float)
    p.add_argument("--scale", type=float)
    p.add_argument("--outcome")
    p.add_argument("--note")
    p.add_argument("--answers", metavar="ACTION", help=t("id of the suggested action this contact answers"))
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help=t("write a customer or action list to CSV or XLSX"))
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--out", required=True, metavar="FILE.csv|FILE.xlsx")
    _add_filters(p)
    _add_settings(p)
    from analysis.commands import campaign

    campaign.register(sub)
    for p in sub.choices.values():  # --lang is accepted after the command too
        _add_lang(p, argparse.SUPPRESS)
    return parser


@command("ingest")
def _ingest(args) -> int:
    from analysis.ingest import ingest_files
    from analysis.store import creating

    for f in args.files:
        if not Path(f).is_file():
            raise UserError(t("{file}: no such file", file=f))
    with creating(args.db) as ws:
        report = ingest_files(ws, args.files, overrides=_parse_map(args.map), skip_invalid=args.skip_invalid,
                              allow_future_dates=args.allow_future_dates, table=args.table)
    if args.json:
        _print_json(report.to_dict())
    else:
        print("\n".join(report.summary()))
    return 0


@command("demo")
def _demo(args) -> int:
    from analysis.demo import build_demo
    from analysis.store import Workspace

    kwargs = {}
    if args.seed is not None:
        kwargs["seed"] = args.seed
    if args.customers is not None:
        kwargs["n_customers"] = args.customers
    with Workspace(args.db) as ws:
        counts = build_demo(ws, **kwargs)
    if args.json:
        _print_json(counts)
    else:
        print(t("demo workspace {db}: {customers:,} customers, {transactions:,} transactions, "
                "{interactions:,} interactions", db=args.db, **counts))
    return 0


@command("report")
def _report(args) -> int:
    from analysis.report import build_report

    if args.local_rows is not None and args.local_rows < 1:
        raise UserError(t("--local-rows must be a whole number of customers of at least 1, got {value}",
                          value=args.local_rows))
    if args.engine == "spark":
        from analysis.store.spark import spark_report

        settings, _ = _settings(args)
        result = spark_report(args.source, settings, as_of=lambda tables: _dates(tables, args))
    else:
        if not args.db:
            raise UserError(t("report needs --db PATH (or --engine spark --source PATH)"))
        with _existing_db(args.db, read_only=True) as ws:
            settings, _ = _settings(args, ws)
            tables = ws.tables()
            result = build_report(tables, as_of=_dates(tables, args), settings=settings)
    if args.json:
        _print_json(result)
    else:
        for key, value in result.items():
            print(f"{key}: {strict_json(value)}")
    return 0


@command("customer")
def _customer(args) -> int:
    from analysis.customer import customer_detail

    with _existing_db(args.db, read_only=True) as ws:
        settings, action_settings = _settings(args, ws)
        detail = customer_detail(ws, args.customer_id, as_of=_dates(ws.tables(), args), settings=settings,
                                 action_settings=action_settings)
    if args.json:
        _print_json(detail)
    else:
        profile = detail["profile"]
        print(t("{customer_id}  {name}  tier={tier}", customer_id=profile.get("customer_id"),
                name=profile.get("name") or "", tier=profile.get("tier")))
        for event in detail["events"]:
            print(f"  {event['time']}  {event['kind']:<10} {event.get('detail') or ''}")
        for action in detail["actions"]:
            print(f"  -> [{action['priority']}] {action['title']}: {action['reason']}")
    return 0


@command("actions")
def _actions(args) -> int:
    from analysis.customer import action_list

    with _existing_db(args.db, read_only=True) as ws:
        settings, action_settings = _settings(args, ws)
        frame = action_list(ws, as_of=_dates(ws.tables(), args), filters=_filters(args), limit=args.limit,
                            settings=settings, action_settings=action_settings)
    if args.json:
        _print_json(frame.to_dict(orient="records"))
    else:
        print(frame.to_string(index=False))
    return 0


@command("log")
def _log(args) -> int:
    from analysis.interactions import record_interaction

    if (args.satisfaction is None) != (args.scale is None) and args.scale is not None:
        raise UserError(t("--scale was given without --satisfaction"))
    with _existing_db(args.db, read_only=False) as ws:
        new_id = record_interaction(
            ws, args.customer_id, kind=args.kind, channel=args.channel, date=args.date,
            satisfaction=args.satisfaction, scale=args.scale, outcome=args.outcome, note=args.note,
            answers_action=args.answers, recorded_by="cli",
        )
    if args.json:
        _print_json({"interaction_id": new_id, "customer_id": args.customer_id})
    else:
        print(t("recorded interaction {interaction_id} for customer {customer_id}", interaction_id=new_id,
                customer_id=args.customer_id))
    return 0


@command("export")
def _export(args) -> int:
    from analysis.customer import export_list
    from analysis.export import export

    with _existing_db(args.db, read_only=True) as ws:
        settings, action_settings = _settings(args, ws)
        frame = export_list(ws, as_of=_dates(ws.tables(), args), filters=_filters(args), settings=settings,
                            action_settings=action_settings)
    export(frame, args.out)
    print(t("wrote {n:,} rows to {path}", n=len(frame), path=args.out))
    return 0


def one_line(message: str) -> str:
    """A multi-line explanation folded onto the one line the CLI contract allows."""
    parts = [line.strip() for line in message.splitlines() if line.strip()]
    return semicolons(p.rstrip(".:;：；。") if i < len(parts) - 1 else p for i, p in enumerate(parts))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with i18n.using(language_of(argv)):
        parser = build_parser()
        args = parser.parse_args(argv)
        with i18n.using(args.lang):
            return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
