"""Which source column holds which field, and which table a sheet belongs to.

Column names are matched in English and Chinese after normalising them (lower case; spaces,
``_ - . # /`` and bracketed units such as "(元)" or "($)" removed): first exact synonyms,
then, for columns still unmatched, names that contain a keyword ("订单金额" contains "金额").
A sheet is routed to the table whose required fields it has; when several qualify, the one
with more matched fields wins (ties: transactions, interactions, customers).
"""

from __future__ import annotations

import hashlib
import re

from analysis.errors import UserError, commas, semicolons
from analysis.i18n import N_, lookup, t
from analysis.store import imports as db

TABLES = ("transactions", "interactions", "customers", "orders")

# Target fields per table, in the order shown to users. ``--map FIELD=COLUMN`` uses these names.
FIELDS: dict[str, tuple[str, ...]] = {
    "transactions": ("customer_id", "order_id", "date", "amount", "quantity", "unit_price", "discount", "product",
                     "category", "status", "refunded", "currency", "name", "email", "phone", "region", "city",
                     "country", "address", "industry", "channel"),
    "customers": ("customer_id", "name", "region", "industry", "channel", "signup_date", "wallet", "email", "phone",
                  "person_id"),
    "interactions": ("customer_id", "order_id", "date", "channel", "kind", "satisfaction", "scale", "outcome", "note"),
    # Order ids and who placed them, from files that list orders without amounts (Olist's orders
    # file): order items, reviews and returns that name only the order are linked through them.
    "orders": ("order_id", "customer_id", "date", "status"),
}

# Exact synonyms (compared after :func:`normalise`).
_ID = ["customer_id", "customerid", "customer id", "customer no", "customer number", "customer", "cust_no",
       "cust no", "cust id", "custid", "client", "client id", "client no", "account id", "member id", "member no",
       "客户编号", "客户id", "客户号", "客户代码", "客户编码", "会员号", "会员编号", "会员id", "会员卡号", "用户id", "用户编号"]
_DATE = ["date", "order date", "transaction date", "purchase date", "sale date", "sales date", "invoice date",
         "订单日期", "日期", "交易日期", "下单日期", "销售日期", "购买日期", "下单时间", "交易时间", "订单时间",
         "created at", "order created at", "date created", "order_purchase_timestamp", "订单创建时间", "创建时间"]
_ORDER_ID = ["order_id", "order id", "order no", "order number", "invoice", "invoice no", "invoice number",
             "transaction id", "receipt no", "订单号", "单号", "订单编号", "订单id", "交易号", "交易编号", "流水号",
             "单据编号", "发票号", "invoiceno", "amazon-order-id", "主订单编号",
             # a bare "Order" / "Order #" heads the order number in many shop and till exports
             "order", "order ref", "order reference", "sales order", "sales order no", "receipt", "receipt number",
             "订单编码", "单据号"]
# A buyer's account on a shop platform: the customer id when a file has no id column.
ACCOUNT = ["买家会员名", "会员名", "下单帐号", "下单账号", "买家账号", "买家帐号", "buyer account", "customer username",
           "username", "user name", "买家昵称"]
_NAME_OF_BUYER = ["name", "customer name", "billing name", "buyer name", "buyer-name", "full name", "收货人姓名", "客户姓名",
                  "收货人/提货人", "买家姓名", "收货人", "contact name", "client name", "客户名称", "客户名", "姓名",
                  "会员姓名"]
_EMAIL = ["email", "e-mail", "mail", "email address", "邮箱", "电子邮件", "电子邮箱", "billing email", "billing_email",
          "buyer-email", "buyer email", "customer email", "customer_email", "customer user email"]
_PHONE = ["phone", "mobile", "tel", "telephone", "phone number", "电话", "手机", "手机号", "联系电话", "电话号码",
          "billing phone", "buyer-phone-number", "联系手机", "买家手机号", "收货人手机号/提货人手机号", "customer phone"]
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "transactions": {
        "customer_id": _ID,
        "order_id": _ORDER_ID,
        "date": _DATE,
        "amount": ["amount", "revenue", "sales", "net amount", "net sales", "dollar_value", "dollar value", "value",
                   "total", "total amount", "order value", "order amount", "spend", "gross amount", "sales amount",
                   "金额", "实付金额", "销售额", "订单金额", "成交金额", "交易金额", "实收金额", "总金额", "合计金额",
                   "销售金额", "消费金额", "支付金额", "付款金额", "line total", "order line total", "item total",
                   "item-price", "买家实际支付金额", "买家实付金额", "商品实际成交金额", "订单实付金额", "payment_value"],
        "quantity": ["quantity", "qty", "units", "count", "number of items", "数量", "件数", "购买数量", "销售数量",
                     "lineitem quantity", "quantity-purchased", "item quantity", "订购数量", "商品数量"],
        "unit_price": ["unit price", "unitprice", "price", "lineitem price", "item cost", "item price", "price each",
                       "sale price", "单价", "成交单价", "商品单价", "价格", "京东价", "销售单价", "商品价格"],
        "discount": ["discount", "line discount", "lineitem discount", "item discount", "item discount amount",
                     "item-promotion-discount", "折扣", "折扣金额", "优惠金额", "商品优惠金额", "折扣额", "折让金额",
                     "优惠额"],
        "product": ["product", "product name", "item", "item name", "sku", "article", "产品", "商品名称", "产品名称",
                    "商品", "品名", "货品名称", "lineitem name", "product-name", "description", "标题", "宝贝标题",
                    "product_id"],
        "category": ["category", "product category", "product line", "class", "类别", "品类", "产品类别", "商品类别",
                     "分类", "大类", "商品类目", "product_category_name"],
        "status": ["status", "order status", "order-status", "order_status", "financial status", "订单状态", "交易状态",
                   "订单商品状态", "item-status", "单据状态", "状态"],
        "refunded": ["refunded", "refunded amount", "refund amount", "order refund amount", "refunded_total",
                     "refunded total", "退款金额", "订单已退款金额", "已退款金额"],
        "currency": ["currency", "currency code", "curr", "ccy", "货币", "币种", "币别", "结算币种", "货币类型",
                     "order_currency"],
        "name": _NAME_OF_BUYER,
        "email": _EMAIL,
        "phone": _PHONE,
        "region": ["region", "province", "state", "billing province name", "billing province", "ship-state",
                   "state code", "收货人省份", "省份", "省", "customer_state", "billing_state", "所在地区", "地区",
                   "所在省份", "所属省份"],
        "city": ["city", "billing city", "ship-city", "收货人城市", "城市", "customer_city", "billing_city"],
        "country": ["country", "billing country", "ship-country", "country code", "国家", "billing_country"],
        "address": ["address", "收货地址", "客户地址", "详细收货地址/提货地址", "billing street", "billing address1",
                    "shipping address", "地址"],
        "industry": ["industry", "sector", "行业", "所属行业"],
        "channel": ["channel", "sales channel", "sales-channel", "source", "销售渠道", "渠道", "订单来源"],
    },
    "customers": {
        "customer_id": _ID,
        "name": ["name", "customer name", "client name", "full name", "company", "company name", "account name",
                 "客户名称", "姓名", "名称", "客户姓名", "公司名称", "客户名", "会员姓名", "企业名称"],
        "region": ["region", "area", "province", "state", "territory", "city", "country", "地区", "区域", "省份",
                   "省", "城市", "所在地区", "大区", "所在省份", "所属省份"],
        "industry": ["industry", "sector", "vertical", "行业", "所属行业", "行业类别"],
        "channel": ["channel", "acquisition channel", "source", "lead source", "渠道", "来源渠道", "获客渠道",
                    "客户来源", "来源"],
        "signup_date": ["signup_date", "signup date", "sign up date", "registration date", "registered", "join date",
                        "joined", "created", "created at", "customer since", "注册日期", "注册时间", "开户日期",
                        "入会日期", "建档日期", "加入日期"],
        "wallet": ["wallet", "wallet size", "share of wallet potential", "potential", "annual budget", "budget",
                   "钱包", "钱包规模", "年采购额", "采购潜力", "年预算", "预算", "潜在消费"],
        "email": _EMAIL,
        "phone": _PHONE,
        "person_id": ["customer_unique_id", "unique customer id", "person id", "person_id", "customer unique id",
                      "global customer id", "客户唯一编号", "唯一客户编号"],
    },
    "interactions": {
        "customer_id": _ID,
        "order_id": _ORDER_ID,
        "date": _DATE + ["contact date", "interaction date", "occurred at", "occurred_at", "timestamp", "datetime",
                         "time", "联系日期", "互动日期", "接触日期", "回访日期", "时间", "联系时间", "互动时间",
                         "review date", "review_creation_date", "评价时间", "评价日期", "退货日期", "申请时间"],
        "channel": ["channel", "contact channel", "渠道", "联系渠道", "接触渠道", "方式", "联系方式"],
        "kind": ["kind", "type", "interaction type", "contact type", "activity", "类型", "互动类型", "联系类型",
                 "接触类型", "事件"],
        "satisfaction": ["satisfaction", "csat", "score", "rating", "nps", "满意度", "评分", "满意度评分", "打分",
                         "得分", "review score", "review_score", "stars", "星级", "评价星级"],
        "scale": ["scale", "out of", "max score", "scale max", "量表", "满分", "评分满分"],
        "outcome": ["outcome", "result", "status", "resolution", "结果", "处理结果", "状态"],
        "note": ["note", "notes", "comment", "comments", "remarks", "description", "memo", "备注", "说明", "内容",
                 "记录", "摘要"],
    },
    "orders": {
        "order_id": _ORDER_ID,
        "customer_id": _ID,
        "date": _DATE,
        "status": ["status", "order status", "order-status", "order_status", "订单状态", "交易状态"],
    },
}

# Keywords a name may contain (second pass, only for columns with no exact match anywhere).
_CONTAINS: dict[str, list[str]] = {
    "customer_id": ["客户编号", "客户id", "会员号", "customerid", "custno", "custid", "clientid"],
    "order_id": ["订单号", "单号", "orderid", "orderno", "invoice"],
    "amount": ["金额", "销售额", "amount", "revenue", "dollar", "sales"],
    "quantity": ["数量", "qty", "quantity", "numberof"],
    "date": ["日期", "date"],
    "product": ["商品", "产品", "product"],
    "category": ["类别", "品类", "category"],
    "name": ["名称", "姓名"],
    "signup_date": ["注册"],
    "satisfaction": ["满意", "satisfaction", "csat", "rating", "nps", "netpromoter", "recommend", "推荐"],
    "note": ["备注", "comment", "note"],
}

REQUIRED_TEXT = {  # English; shown through :func:`required_text`
    "transactions": N_("date, and amount or unit_price (a customer_id, e-mail or buyer account says who bought)"),
    "customers": N_("customer_id and at least one of name, region, industry, channel, signup_date, wallet, email, phone"),
    "interactions": N_("customer_id (or an order_id of a purchase), date, and kind or satisfaction"),
    "orders": N_("order_id and customer_id, and no amount"),
}


def required_text(table: str) -> str:
    """What ``table`` needs, in the current language (field names stay as ``--map`` spells them)."""
    return lookup(REQUIRED_TEXT[table])


def normalise(name: str) -> str:
    """Lower case, bracketed units dropped, spaces and ``_-.#/:`` removed."""
    s = str(name).strip().lower()
    s = re.sub(r"\([^)]*\)|（[^）]*）|\[[^\]]*\]|【[^】]*】", "", s)
    return re.sub(r"[\s_\-.#/:：]+", "", s)


_EXACT = {
    table: {field: {normalise(n) for n in names} for field, names in fields.items()}
    for table, fields in SYNONYMS.items()
}
_ANY_EXACT = set().union(*(names for fields in _EXACT.values() for names in fields.values()))
_ACCOUNT = {normalise(n) for n in ACCOUNT}
_EMAILS = {normalise(n) for n in _EMAIL}
_ANY_EXACT |= _ACCOUNT


def is_known_name(name: str) -> bool:
    """True when a column name is a synonym of some field (used to find header rows)."""
    n = normalise(name)
    return bool(n) and (n in _ANY_EXACT or any(k in n for ks in _CONTAINS.values() for k in ks))


def auto_map(columns: list[str], table: str) -> dict[str, str]:
    """{field: column} for ``table`` from the column names alone."""
    norm = {c: normalise(c) for c in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in FIELDS[table]:  # exact synonyms, first column wins
        for c in columns:
            if c not in used and norm[c] in _EXACT[table][field]:
                mapping[field] = c
                used.add(c)
                break
    for field in FIELDS[table]:  # keywords, only columns no table knows exactly
        if field in mapping:
            continue
        for c in columns:
            if c in used or norm[c] in _ANY_EXACT:
                continue
            if any(k in norm[c] for k in _CONTAINS.get(field, ())):
                mapping[field] = c
                used.add(c)
                break
    if "customer_id" not in mapping:  # no id column: a buyer account, else the e-mail, says who it is
        account = next((c for c in columns if c not in used and norm[c] in _ACCOUNT), None)
        email = mapping.get("email") or next((c for c in columns if norm[c] in _EMAILS), None)
        if account or email:
            mapping["customer_id"] = account or email
    return mapping


def customer_id_source(mapping: dict[str, str], columns: list[str]) -> str | None:
    """"account" or "email" when the mapping takes the customer id from a buyer account or an
    e-mail column for want of an id column; None otherwise."""
    col = mapping.get("customer_id")
    if col is None:
        return None
    n = normalise(col)
    return "account" if n in _ACCOUNT else "email" if n in _EMAILS else None


def missing_required(table: str, mapping: dict[str, str]) -> list[str]:
    """Required fields of ``table`` that ``mapping`` does not provide (empty list: complete)."""
    have = set(mapping)
    if table == "transactions":  # order items without dates take their order's (from an order list)
        miss = [] if have & {"date", "order_id"} else ["date"]
        if not have & {"amount", "unit_price"}:
            miss.append(t("amount or unit_price"))
        return miss
    if table == "interactions":
        miss = [] if have & {"customer_id", "order_id"} else ["customer_id"]
        miss += [] if "date" in have else ["date"]
        if not have & {"kind", "satisfaction"}:
            miss.append(t("kind or satisfaction"))
        return miss
    if table == "orders":
        return [f for f in ("order_id", "customer_id") if f not in have]
    miss = [] if "customer_id" in have else ["customer_id"]
    if not have - {"customer_id"}:
        miss.append(t("one of name, region, industry, channel, signup_date, wallet, email, phone"))
    return miss


def resolve_column(column: str, columns: list[str]) -> str | None:
    """The source column a user meant: exact, else case/space-insensitive."""
    if column in columns:
        return column
    want = str(column).strip().lower()
    for c in columns:
        if str(c).strip().lower() == want:
            return c
    return None


def check_overrides(overrides: dict[str, str] | None) -> dict[str, str]:
    """Validate override field names; column names are checked per sheet."""
    overrides = dict(overrides or {})
    all_fields = {f for fs in FIELDS.values() for f in fs}
    unknown = [f for f in overrides if f not in all_fields]
    if unknown:
        raise UserError(t(
            "unknown field(s) in --map: {unknown}. Fields are: {fields}", unknown=commas(unknown),
            fields=semicolons(t("{t}: {f}", t=table, f=commas(fs)) for table, fs in FIELDS.items()),
        ))
    return overrides


def apply_overrides(table: str, mapping: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """Overrides win over auto-mapping; a column taken by an override is removed from other fields."""
    out = dict(mapping)
    for field, column in overrides.items():
        if field not in FIELDS[table]:
            continue
        for f, c in list(out.items()):
            if c == column and f != field:
                del out[f]
        out[field] = column
    return out


def route(columns: list[str], overrides: dict[str, str] | None = None) -> tuple[str | None, dict[str, str], dict[str, list[str]]]:
    """Pick the table for a sheet. Returns (table or None, mapping, {table: missing fields}).
    A sheet whose rows carry a date and an amount or a unit price is purchases, even when it
    also carries customer attributes (unless ``--map`` names a field only another table has);
    otherwise the table with the most matched fields wins."""
    overrides = overrides or {}
    best: tuple[int, int, str, dict[str, str]] | None = None
    missing: dict[str, list[str]] = {}
    for rank, table in enumerate(TABLES):
        mapping = apply_overrides(table, auto_map(columns, table), overrides)
        miss = missing_required(table, mapping)
        missing[table] = miss
        if miss:
            continue
        if table == "transactions" and not set(overrides) - set(FIELDS["transactions"]):
            return table, mapping, missing  # rows with a date and an amount or a price are purchases
        score = len(mapping) + 2 * sum(1 for f in overrides if f in FIELDS[table])
        key = (score, -rank)
        if best is None or key > best[:2]:
            best = (score, -rank, table, mapping)
    if best is None:
        return None, {}, missing
    return best[2], best[3], missing


def header_signature(columns: list[str]) -> str:
    """Stable id of a header: normalised column names in order, hashed."""
    text = "\x1f".join(normalise(c) for c in columns)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# -- remembered mappings ------------------------------------------------------------
def recall(ws, signature: str) -> tuple[str, dict[str, str]] | None:
    """The (table, mapping) a user confirmed earlier for this header, if any."""
    return None if ws is None else db.recall_mapping(ws, signature)


def remember(cur, signature: str, table: str, mapping: dict[str, str]) -> None:
    """Store a confirmed mapping (inside the import's transaction)."""
    db.remember_mapping(cur, signature, table, mapping)
