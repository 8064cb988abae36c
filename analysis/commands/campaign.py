"""``python -m analysis campaign create | import | measure | uplift | list``: campaigns with a
random control group (analysis.interact.campaigns.workspace). Same rules as every command:
one ``error:`` line and exit 2 for a user's mistake, strict JSON with ``--json``."""

from __future__ import annotations

import argparse

from analysis.errors import UserError
from analysis.i18n import t


def register(sub) -> None:
    """Add the ``campaign`` command and its five subcommands to ``sub`` (the CLI's subparsers)."""
    from analysis import cli

    p = sub.add_parser("campaign", help=t("campaigns with a random control group: create, import, measure, "
                                          "uplift, list"))
    inner = p.add_subparsers(dest="campaign_command", required=True, parser_class=cli._Parser)

    c = inner.add_parser("create", help=t("a campaign from the customers the actions filters select"))
    c.add_argument("name")
    c.add_argument("--db", required=True, metavar="PATH")
    cli._add_filters(c)
    cli._add_settings(c)
    c.add_argument("--holdout", dest="holdout_share", type=float, default=0.1,
                   help=t("share of the list held out as the control group (default 0.1)"))
    c.add_argument("--seed", type=int, default=None, help=t("seed of the random draw (default: a new one)"))
    c.add_argument("--start", metavar="YYYY-MM-DD", help=t("first day of the campaign (default: today)"))
    c.add_argument("--window", type=int, default=None, metavar="DAYS",
                   help=t("days after the start a purchase counts as a response (default 30)"))
    c.add_argument("--channel", help=t("contact channel of the campaign, e.g. email"))
    c.add_argument("--out", metavar="FILE.csv|FILE.xlsx", help=t("write the target list (without the control group)"))
    c.add_argument("--json", action="store_true")

    c = inner.add_parser("import", help=t("an experiment done elsewhere, one row per customer"))
    c.add_argument("file", metavar="FILE")
    c.add_argument("--db", required=True, metavar="PATH")
    c.add_argument("--name", required=True)
    c.add_argument("--arm", required=True, metavar="COLUMN")
    c.add_argument("--control", required=True, metavar="VALUE")
    c.add_argument("--response", required=True, metavar="COLUMN")
    c.add_argument("--value", metavar="COLUMN")
    c.add_argument("--customer", metavar="COLUMN")
    c.add_argument("--json", action="store_true")

    c = inner.add_parser("measure", help=t("each group against the control group, with 95% intervals"))
    c.add_argument("name")
    c.add_argument("--db", required=True, metavar="PATH")
    c.add_argument("--arm", action="append", metavar="VALUE")
    c.add_argument("--window", type=int, metavar="DAYS")
    c.add_argument("--currency", default=None, help=t("currency of the amounts, a code or symbol"))
    c.add_argument("--json", action="store_true")

    c = inner.add_parser("uplift", help=t("an uplift model: whom the campaign moves"))
    c.add_argument("name")
    c.add_argument("--db", required=True, metavar="PATH")
    c.add_argument("--arm", required=True, metavar="VALUE")
    c.add_argument("--response", metavar="COLUMN")
    c.add_argument("--test-share", type=float, default=0.5)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--window", type=int, metavar="DAYS")
    c.add_argument("--json", action="store_true")

    c = inner.add_parser("list", help=t("the workspace's campaigns"))
    c.add_argument("--db", required=True, metavar="PATH")
    c.add_argument("--json", action="store_true")
    for c in inner.choices.values():
        cli._add_lang(c, argparse.SUPPRESS)
    cli.COMMANDS["campaign"] = run


def run(args: argparse.Namespace) -> int:
    return {"create": _create, "import": _import, "measure": _measure, "uplift": _uplift,
            "list": _list}[args.campaign_command](args)


def _create(args) -> int:
    import datetime as dt
    from pathlib import Path

    from analysis import cli
    from analysis.customer import EXPORT_COLUMNS
    from analysis.export import export
    from analysis.interact.campaigns import workspace as campaigns

    start = cli._day(args.start, "--start") or dt.date.today()
    actions = args.action_kind or []
    with cli._existing_db(args.db, read_only=False) as ws:
        settings, action_settings = cli._settings(args, ws)
        listed, as_of = campaigns.select_customers(ws, cli._dates(ws.tables(), args), cli._filters(args), settings,
                                                   action_settings)
        if listed.empty:
            raise UserError(t("No customer matches these filters: there is nobody to make a campaign of."))
        if args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):  # refused before anything is stored
            raise UserError(t("cannot export to {name!r}: the file name must end in .csv or .xlsx.",
                              name=Path(args.out).name))
        result = campaigns.create_campaign(
            ws, args.name, listed, start, holdout=args.holdout_share, seed=args.seed,
            action=actions[0] if len(actions) == 1 else None, channel=args.channel,
            window_days=args.window if args.window is not None else campaigns.DEFAULT_WINDOW_DAYS,
            filters=cli._filters(args))
        result.update(campaigns.plan(ws, listed["customer_id"], args.holdout_share, as_of, result["window_days"]))
        result["as_of"] = as_of.isoformat()
        if args.out:
            export(campaigns.target_list(ws, result["name"], listed[EXPORT_COLUMNS]).drop(columns="arm"), args.out)
            result["out"] = args.out
    if args.json:
        cli._print_json(result)
    else:
        print(t("campaign {name}: {target:,} customers to contact, {control:,} held out as the control group "
                "(seed {seed})", **result))
        if result.get("out"):
            print(t("wrote {n:,} rows to {path}", n=result["target"], path=args.out))
    return 0


def _import(args) -> int:
    from pathlib import Path

    from analysis import cli
    from analysis.interact.campaigns.workspace import import_experiment

    if not Path(args.file).is_file():
        raise UserError(t("{file}: no such file", file=args.file))
    with cli._existing_db(args.db, read_only=False) as ws:
        result = import_experiment(ws, args.file, args.name, args.arm, args.control, args.response,
                                   value=args.value, customer=args.customer)
    if args.json:
        cli._print_json(result)
    else:
        print(t("campaign {name}: {customers:,} customers imported from {file}", **result))
    return 0


def _measure(args) -> int:
    from analysis import cli
    from analysis.interact.campaigns.workspace import measure, verdict_words

    with cli._existing_db(args.db, read_only=True) as ws:
        result = measure(ws, args.name, arms=args.arm, window=args.window)
        result["verdict"]["text"] = verdict_words(result, cli._currency(args, ws))
    if args.json:
        cli._print_json(result)
    else:
        for arm in result["arms"]:
            print(t("{arm}: {customers:,} customers, {responders:,} responded ({rate:.2%})", arm=arm["arm"],
                    customers=arm["customers"], responders=arm["responders"], rate=arm["response_rate"]))
        print(result["verdict"]["text"])
    return 0


def _uplift(args) -> int:
    from analysis import cli
    from analysis.interact.campaigns.workspace import uplift

    with cli._existing_db(args.db, read_only=True) as ws:
        evaluation = uplift(ws, args.name, args.arm, response=args.response, test_share=args.test_share,
                            seed=args.seed, window=args.window)
    result = evaluation.to_dict()
    if args.json:
        cli._print_json(result)
    else:
        print(t("Qini coefficient {qini:.3f}; uplift at the top 30%: {top:.3f} (random targeting {random:.3f})",
                qini=result["qini"] or 0.0, top=result["uplift_at"]["0.3"] or 0.0,
                random=result["random_uplift"] or 0.0))
    return 0


def _list(args) -> int:
    from analysis import cli
    from analysis.interact.campaigns.workspace import list_campaigns

    with cli._existing_db(args.db, read_only=True) as ws:
        found = list_campaigns(ws)
    if args.json:
        cli._print_json(found)
    else:
        for c in found:
            print(t("{name}: {customers:,} customers, {control_customers:,} in the control group", **c))
    return 0
