"""Shop-platform exports recognised by their column names, each with the mapping that reads it.

A sheet whose header holds every column of a platform's signature is read with that
platform's mapping (no mapping needed from the user) and the preview says what it looks like
("Looks like a Shopify orders export"). Column names are compared as written, lower case,
spaces collapsed, brackets kept (``Email (Billing)``). The signatures and the meaning of each
column follow the platforms' documented exports (Shopify's order export, WooCommerce's
Advanced Order Export, Amazon Seller Central's order report, Taobao/Tmall 订单报表 and 宝贝报表,
JD 订单导出, Youzan 订单维度 export, the UK online-retail invoice lines, Olist's relational
export).

Decisions per platform, where the export leaves a choice:

- Shopify: the line amount is quantity x line price less the line discount (``Total`` is
  the order's and is written on its first line only); ``Financial Status`` is the status;
  the customer is the e-mail (there is no customer id); shipping and taxes are not revenue.
- WooCommerce: ``Quantity (- Refund)`` already leaves refunded units out, so the order's
  refunded amount is not subtracted again; the customer is the billing e-mail.
- Amazon order report: ``item-price`` is the line's total (price x quantity) before the
  item's promotion: the line's amount is ``item-price`` less ``item-promotion-discount``
  (whatever its sign); the customer is the buyer's (relay) e-mail. The All Orders report has
  no buyer: its lines are guest purchases.
- Taobao 订单报表: one row per order; the customer is the buyer account (买家会员名); the
  amount is what the buyer paid (买家实际支付金额); 退款金额 is refunded. The 宝贝报表 (item
  lines, no buyer) adds only orders the order report has not given already: both at once
  would count each order twice.
- JD: ``应付金额`` repeats the order's amount on every line, so the line amount is quantity x
  京东价; the customer is the ordering account (下单帐号).
- Youzan 订单维度: the customer is the buyer's phone (买家手机号), the amount 订单实付金额.
- Olist: the orders file links order ids to customers (table ``orders``); order items carry
  the price of one unit each; the customers file maps each order's ``customer_id`` to the
  person (``customer_unique_id``); reviews are satisfaction surveys; payments repeat the
  items' revenue and are not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.i18n import N_


@dataclass(frozen=True)
class Platform:
    """An export layout: the columns that identify it and how its columns map to fields."""

    key: str
    name: str  # English, shown through lookup: "a Shopify orders export"
    table: str | None  # None: recognised, but not imported (the reason says why)
    signature: tuple[str, ...]  # header names (compared by :func:`header_key`) that must all be there
    mapping: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> candidate columns, first found wins
    reason: str | None = None  # why a recognised sheet is not imported
    currency: str | None = None  # the currency every export of the platform is in (Chinese platforms: CNY)
    # A column made by joining others with a space (first and last name), named by its parts.
    joined: tuple[tuple[str, ...], ...] = ()
    # The lines of orders another export of the platform already gives as purchases (Taobao's
    # 宝贝报表 beside its 订单报表): written after them, and only for orders not already purchases.
    details: bool = False
    # The amount column is before the line's discount (Amazon's item-price and its promotion):
    # the line's amount is the amount less the discount.
    discount_off_amount: bool = False


def header_key(name: str) -> str:
    """A column name as signatures compare it: full-width brackets and spaces made ASCII, lower
    case, runs of spaces as one, stripped."""
    text = str(name).replace("（", "(").replace("）", ")").replace("\u3000", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


PLATFORMS: tuple[Platform, ...] = (
    Platform("shopify_orders", N_("a Shopify orders export"), "transactions",
             ("name", "financial status", "lineitem quantity", "lineitem name", "lineitem price"),
             {"order_id": ("Name",), "customer_id": ("Email",), "email": ("Email",), "date": ("Created at",),
              "status": ("Financial Status",), "quantity": ("Lineitem quantity",), "product": ("Lineitem name",),
              "unit_price": ("Lineitem price",), "discount": ("Lineitem discount",), "currency": ("Currency",),
              "refunded": ("Refunded Amount",), "name": ("Billing Name",), "phone": ("Billing Phone", "Phone"),
              "region": ("Billing Province Name", "Billing Province"), "city": ("Billing City",),
              "country": ("Billing Country",), "address": ("Billing Address1",), "channel": ("Source",),
              "category": ("Vendor",)}),
    Platform("woocommerce_orders", N_("a WooCommerce orders export"), "transactions",
             ("order number", "order status", "order date", "email (billing)"),
             {"order_id": ("Order Number",), "customer_id": ("Email (Billing)",), "email": ("Email (Billing)",),
              "date": ("Order Date",), "status": ("Order Status",), "product": ("Item Name", "Product Name"),
              "quantity": ("Quantity (- Refund)", "Quantity"), "unit_price": ("Item Cost",),
              "amount": ("Order Line Total",), "currency": ("Currency",), "phone": ("Phone (Billing)",),
              "name": ("Full Name (Billing)", "First Name (Billing) + Last Name (Billing)"),
              "region": ("State Code (Billing)",), "city": ("City (Billing)",),
              "country": ("Country Code (Billing)",), "address": ("Address 1&2 (Billing)",)},
             joined=(("First Name (Billing)", "Last Name (Billing)"),)),
    Platform("amazon_order_report", N_("an Amazon Seller Central order report"), "transactions",
             ("order-id", "order-item-id", "purchase-date", "buyer-email"),
             {"order_id": ("order-id",), "customer_id": ("buyer-email",), "email": ("buyer-email",),
              "date": ("purchase-date",), "product": ("product-name",), "quantity": ("quantity-purchased",),
              "amount": ("item-price",), "currency": ("currency",), "name": ("buyer-name",),
              "phone": ("buyer-phone-number",), "city": ("ship-city",), "region": ("ship-state",),
              "country": ("ship-country",), "channel": ("sales-channel",), "status": ("order-status",),
              "discount": ("item-promotion-discount",)}, discount_off_amount=True),
    Platform("amazon_all_orders", N_("an Amazon Seller Central All Orders report (no buyer: guest purchases)"),
             "transactions", ("amazon-order-id", "purchase-date", "order-status", "item-status", "asin"),
             {"order_id": ("amazon-order-id",), "date": ("purchase-date",), "status": ("item-status",),
              "product": ("product-name",), "quantity": ("quantity",), "amount": ("item-price",),
              "currency": ("currency",), "channel": ("sales-channel",),
              "discount": ("item-promotion-discount",)}, discount_off_amount=True),
    Platform("taobao_orders", N_("a Taobao/Tmall order report (订单报表)"), "transactions",
             ("订单编号", "买家会员名", "订单状态", "买家应付货款"),
             {"order_id": ("订单编号",), "customer_id": ("买家会员名",), "date": ("订单创建时间",),
              "status": ("订单状态",), "amount": ("买家实际支付金额", "买家实付金额"), "refunded": ("退款金额",),
              "name": ("收货人姓名",), "phone": ("联系手机",), "address": ("收货地址",), "product": ("宝贝标题",),
              "quantity": ("宝贝总数量",)}, currency="CNY"),
    Platform("taobao_items", N_("a Taobao/Tmall item report (宝贝报表)"), "transactions",
             ("订单编号", "标题", "价格", "购买数量", "商家编码"),
             {"order_id": ("订单编号",), "product": ("标题",), "unit_price": ("价格",), "quantity": ("购买数量",),
              "status": ("订单状态",)}, currency="CNY", details=True),
    Platform("jd_orders", N_("a JD (京东) order export"), "transactions",
             ("订单号", "商品id", "订购数量", "下单时间", "应付金额", "订单状态", "下单帐号"),
             {"order_id": ("订单号",), "customer_id": ("下单帐号",), "date": ("下单时间",), "status": ("订单状态",),
              "product": ("商品名称",), "quantity": ("订购数量",), "unit_price": ("京东价",), "name": ("客户姓名",),
              "address": ("客户地址",), "phone": ("联系电话",), "channel": ("订单渠道",)}, currency="CNY"),
    Platform("youzan_orders", N_("a Youzan (有赞) order export"), "transactions",
             ("订单号", "订单状态", "订单创建时间", "订单实付金额", "收货人/提货人"),
             {"order_id": ("订单号",), "customer_id": ("买家手机号",), "phone": ("买家手机号",),
              "date": ("订单创建时间",), "status": ("订单状态",), "amount": ("订单实付金额",),
              "refunded": ("订单已退款金额",), "name": ("买家昵称", "买家姓名"), "region": ("收货人省份",),
              "city": ("收货人城市",), "address": ("详细收货地址/提货地址",), "product": ("全部商品名称",),
              "channel": ("销售渠道",)}, currency="CNY"),
    Platform("invoice_lines", N_("an invoice-line export (invoice, stock code, quantity, unit price)"),
             "transactions", ("stockcode", "quantity", "invoicedate", "country"),
             {"order_id": ("InvoiceNo", "Invoice"), "customer_id": ("CustomerID", "Customer ID"),
              "date": ("InvoiceDate",), "product": ("Description", "StockCode"), "quantity": ("Quantity",),
              "unit_price": ("UnitPrice", "Price"), "country": ("Country",)}),
    Platform("olist_orders", N_("an Olist orders file (links orders to customers)"), "orders",
             ("order_id", "customer_id", "order_status", "order_purchase_timestamp"),
             {"order_id": ("order_id",), "customer_id": ("customer_id",), "status": ("order_status",),
              "date": ("order_purchase_timestamp",)}),
    Platform("olist_items", N_("an Olist order items file"), "transactions",
             ("order_id", "order_item_id", "product_id", "seller_id", "price", "freight_value"),
             {"order_id": ("order_id",), "product": ("product_id",), "unit_price": ("price",)}),
    Platform("olist_customers", N_("an Olist customers file"), "customers",
             ("customer_id", "customer_unique_id", "customer_state"),
             {"customer_id": ("customer_id",), "person_id": ("customer_unique_id",), "region": ("customer_state",)}),
    Platform("olist_reviews", N_("an Olist reviews file (satisfaction surveys)"), "interactions",
             ("review_id", "order_id", "review_score"),
             {"order_id": ("order_id",), "satisfaction": ("review_score",), "date": ("review_creation_date",),
              "note": ("review_comment_message",)}),
    Platform("olist_payments", N_("an Olist payments file"), None,
             ("order_id", "payment_sequential", "payment_type", "payment_value"), {},
             N_("payments repeat the revenue of the order items; not imported")),
)
NAMES = {p.key: p.name for p in PLATFORMS}
BY_KEY = {p.key: p for p in PLATFORMS}


def detect(columns: list[str]) -> Platform | None:
    """The platform whose signature columns the sheet has (the longest signature when several)."""
    have = {header_key(c) for c in columns}
    found = [p for p in PLATFORMS if set(p.signature) <= have]
    return max(found, key=lambda p: len(p.signature)) if found else None


def joined_name(parts: tuple[str, ...]) -> str:
    return " + ".join(parts)


def cells(key: str | None, frame):
    """A sheet's cells as the platform ``key`` reads them (its joined columns added)."""
    return add_joined(BY_KEY[key], frame) if key in BY_KEY and BY_KEY[key].joined else frame


def add_joined(platform: Platform, frame):
    """The sheet's cells with the platform's joined columns added (each part stripped, the
    non-empty parts joined with a space; empty when all are)."""
    columns = {header_key(c): c for c in frame.columns}
    for parts in platform.joined:
        if not all(header_key(p) in columns for p in parts) or joined_name(parts) in frame.columns:
            continue
        cells = [frame[columns[header_key(p)]].astype("str").str.strip().where(frame[columns[header_key(p)]].notna(), "")
                 for p in parts]
        text = cells[0]
        for more in cells[1:]:
            text = (text + " " + more).str.strip()
        frame = frame.assign(**{joined_name(parts): text.where(text != "")})
    return frame


def mapping_for(platform: Platform, columns: list[str]) -> dict[str, str]:
    """The platform's mapping onto this sheet's column names (fields whose columns are absent
    are left out)."""
    by_key = {}
    for c in columns:
        by_key.setdefault(header_key(c), c)
    out = {}
    for fld, candidates in platform.mapping.items():
        col = next((by_key[header_key(c)] for c in candidates if header_key(c) in by_key), None)
        if col is not None:
            out[fld] = col
    return out
