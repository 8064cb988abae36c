"""Command line: ``python -m analysis ingest | report | demo | customer | actions | log | export``.

The flags and JSON keys of these commands are contracts checked by automation: add to them,
never rename. A user error prints one line starting ``error:`` on stderr and exits 2; the
workspace is left as it was. ``--lang zh`` (or ``ONE_TO_ONE_LANG=zh``) writes the
human-readable lines and the ``error:`` lines in Chinese; JSON keys never change.

Size: the parsers and dispatch of the seven pinned commands stay in this one file this round
(tests/test_cli_golden.py pins them); command groups added since live in analysis/commands/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analysis import i18n
from analysis.commands.options import (  # noqa: F401  (strict_json: for callers of the CLI's JSON)
    COMMANDS, _add_filters, _add_lang, _add_progress, _add_settings, _dates, _existing_db, _filters, _parse_map, _Parser,
    _print_json, _reporter, _settings, command, language_of, strict_json,
)
from analysis.errors import UserError, semicolons
from analysis.i18n import t, tn


def _add_source_map(p: argparse.ArgumentParser) -> None:
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help=t("with --engine spark: the source column holding a field, e.g. date=order_day"))


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
    _add_progress(p)

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
    _add_source_map(p)
    p.add_argument("--local-rows", type=int, metavar="N", default=None,
                   help=t("fit the models on every customer up to N customers, above that on a fixed sample "
                          "of about N (default 200,000)"))
    _add_progress(p)

    p = sub.add_parser("customer", help=t("one customer's profile, events and suggested actions"))
    p.add_argument("customer_id")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--as-of", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    _add_settings(p)

    p = sub.add_parser("actions", help=t("top suggested actions across customers"))
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    p.add_argument("--source", metavar="PATH_OR_TABLE", help=t("with --engine spark: transactions Parquet or table"))
    _add_source_map(p)
    _add_filters(p)
    _add_settings(p)
    _add_progress(p)

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
    _add_progress(p)
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
    tell = _reporter(args)
    tell(tn("Importing {n} file: reading, checking and writing", "Importing {n} files: reading, checking and writing",
            len(args.files)), 0.0)
    with creating(args.db) as ws:
        report = ingest_files(ws, args.files, overrides=_parse_map(args.map), skip_invalid=args.skip_invalid,
                              allow_future_dates=args.allow_future_dates, table=args.table)
    tell(t("Import done"), 1.0)
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
        result = spark_report(args.source, settings, as_of=lambda tables: _dates(tables, args),
                              overrides=_parse_map(args.map))
    else:
        if not args.db:
            raise UserError(t("report needs --db PATH (or --engine spark --source PATH)"))
        with _existing_db(args.db, read_only=True) as ws:
            settings, _ = _settings(args, ws)
            tables = ws.tables()
            result = build_report(tables, as_of=_dates(tables, args), settings=settings, progress=_reporter(args))
    if args.json:
        _print_json(result)
    else:
        for key, value in result.items():
            print(f"{key}: {strict_json(value)}")
    return 0


@command("customer")
def _customer(args) -> int:
    from analysis.customize.customer import customer_detail

    with _existing_db(args.db, read_only=True) as ws:
        settings, action_settings = _settings(args, ws)
        detail = customer_detail(ws, args.customer_id, as_of=_dates(ws, args), settings=settings,
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


def _scored(ws, args, settings):
    """(as-of date, the per-customer scores) for a command that lists actions, the scoring's
    stages told to the command's reporter; then the actions' stage is told."""
    from analysis.progress import part
    from analysis.scores import score_customers

    tell = _reporter(args)
    as_of = _dates(ws.tables(), args)
    scores = score_customers(ws, as_of, settings, progress=part(tell, 0.0, 0.6))
    tell(t("Working out every customer's suggested actions"), 0.6)
    return scores.as_of, scores, tell


@command("actions")
def _actions(args) -> int:
    """The suggested actions, written out as they are read and written (:mod:`analysis.commands.stream`):
    ``--limit 0`` (the whole plan) a slice at a time, never the whole list at once."""
    from analysis.customize.stored_plan import action_slices, frame_slices

    if args.limit < 0:  # refused before anything is read: DuckDB's LIMIT would fail mid-way
        raise UserError(t("--limit must be 0 (every action) or a whole number of actions, got {value}",
                          value=args.limit))
    if args.engine == "spark":
        from analysis.store.spark import spark_actions

        settings, action_settings = _settings(args)
        frame = spark_actions(args.source, settings, action_settings, as_of=lambda tables: _dates(tables, args),
                              filters=_filters(args), limit=args.limit, overrides=_parse_map(args.map))
        _write_actions(args, frame_slices(frame))
        return 0
    if not args.db:
        raise UserError(t("actions needs --db PATH (or --engine spark --source PATH)"))
    with _existing_db(args.db, read_only=True) as ws:
        settings, action_settings = _settings(args, ws)
        as_of, scores, tell = _scored(ws, args, settings)
        _write_actions(args, action_slices(ws, as_of=as_of, filters=_filters(args), limit=args.limit,
                                           settings=settings, action_settings=action_settings, scores=scores))
        tell(t("Actions ready"), 1.0)
    return 0


def _write_actions(args, pieces) -> None:
    """``pieces`` (the list's rows, in order) written out as they come: JSON, a table, or in
    words when there is no row."""
    from analysis.commands.stream import json_rows, text_rows

    if args.json:
        json_rows(pieces)
    elif not text_rows(pieces):  # said in words, not as an empty table's repr
        print(t("No suggested action matches these filters.") if any(_filters(args).values()) else
              t("No suggested action yet: the playbook needs customers with purchases or contacts."))


@command("log")
def _log(args) -> int:
    from analysis.ids import kept_customer_id
    from analysis.interact.contacts import record_interaction

    if (args.satisfaction is None) != (args.scale is None) and args.scale is not None:
        raise UserError(t("--scale was given without --satisfaction"))
    with _existing_db(args.db, read_only=False) as ws:
        new_id = record_interaction(
            ws, args.customer_id, kind=args.kind, channel=args.channel, date=args.date,
            satisfaction=args.satisfaction, scale=args.scale, outcome=args.outcome, note=args.note,
            answers_action=args.answers, recorded_by="cli",
        )
    if args.json:
        _print_json({"interaction_id": new_id, "customer_id": kept_customer_id(args.customer_id)})
    else:
        print(t("recorded interaction {interaction_id} for customer {customer_id}", interaction_id=new_id,
                customer_id=kept_customer_id(args.customer_id)))
    return 0


@command("export")
def _export(args) -> int:
    from analysis.customize.stored_plan import export_list
    from analysis.export import export

    with _existing_db(args.db, read_only=True) as ws:
        settings, action_settings = _settings(args, ws)
        as_of, scores, tell = _scored(ws, args, settings)
        frame = export_list(ws, as_of=as_of, filters=_filters(args), settings=settings,
                            action_settings=action_settings, scores=scores)
    tell(t("Writing {path}", path=args.out), 0.95)
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
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as Python's docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is left to flush goes nowhere
        return 1
