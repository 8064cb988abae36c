"""What Northwind Office Supply is made of: its regions, industries, sales channels,
product categories and products, seasons, and the words its people and notes are drawn from."""

from __future__ import annotations

import numpy as np

COMPANY_NAME = "Northwind Office Supply"
# A US distributor (its phone numbers carry US area codes): amounts are in US dollars.
CURRENCY = "USD"

REGIONS = ["North", "East", "South", "West", "Central"]
REGION_WEIGHTS = [0.18, 0.22, 0.2, 0.16, 0.24]
AREA_CODES = {"North": 218, "East": 617, "South": 404, "West": 415, "Central": 312}
INDUSTRIES = [
    "Retail", "Manufacturing", "Healthcare", "Education",
    "Finance", "Hospitality", "Technology", "Public sector",
]
INDUSTRY_WEIGHTS = [0.17, 0.14, 0.12, 0.12, 0.1, 0.11, 0.14, 0.1]
CHANNELS = ["Direct sales", "Online", "Partner"]
CATEGORIES = ["Electronics", "Office Supplies", "Furniture", "Software", "Printing", "Services"]

# Category profile per industry (rows follow INDUSTRIES, then private persons; columns CATEGORIES).
_INDUSTRY_MIX = np.array([
    [0.22, 0.24, 0.08, 0.08, 0.30, 0.08],  # Retail
    [0.18, 0.22, 0.20, 0.10, 0.16, 0.14],  # Manufacturing
    [0.16, 0.34, 0.14, 0.10, 0.12, 0.14],  # Healthcare
    [0.18, 0.36, 0.10, 0.08, 0.22, 0.06],  # Education
    [0.20, 0.18, 0.12, 0.30, 0.08, 0.12],  # Finance
    [0.10, 0.18, 0.38, 0.06, 0.18, 0.10],  # Hospitality
    [0.36, 0.10, 0.08, 0.30, 0.04, 0.12],  # Technology
    [0.14, 0.30, 0.24, 0.10, 0.12, 0.10],  # Public sector
    [0.40, 0.30, 0.12, 0.08, 0.08, 0.02],  # private persons
])
# Lines after the first in an order often come from the first line's companion category.
_COMPANION = np.array([3, 4, 5, 0, 1, 2])  # Electronics->Software, Office->Printing, ...

PRODUCTS: dict[str, list[tuple[str, float]]] = {
    "Electronics": [
        ('Laptop 14" Pro', 1149.0), ('Laptop 15" Business', 889.0), ('Monitor 27" QHD', 279.0),
        ("Docking Station USB-C", 189.0), ("Wireless Headset", 89.0), ("Webcam HD", 69.0),
        ("Keyboard & Mouse Set", 49.0), ("USB-C Cable 2 m", 15.0),
    ],
    "Office Supplies": [
        ("Copy Paper A4 (5 reams)", 32.0), ("Ballpoint Pens (50)", 12.0),
        ("Sticky Notes (12 pads)", 9.0), ("Lever Arch Files (10)", 24.0),
        ("Stapler Heavy Duty", 28.0), ("Whiteboard Markers (8)", 11.0),
        ("Envelopes C4 (250)", 19.0), ("Desk Organiser", 17.0),
    ],
    "Furniture": [
        ("Ergonomic Office Chair", 349.0), ("Height-Adjustable Desk", 649.0),
        ("Meeting Table 6-seat", 890.0), ("Filing Cabinet 3-drawer", 229.0),
        ("Bookcase Oak", 159.0), ("Monitor Arm", 119.0), ("Reception Sofa", 1190.0),
        ("Footrest", 39.0),
    ],
    "Software": [
        ("Office Suite Licence (1 yr)", 99.0), ("Antivirus Licence (1 yr)", 39.0),
        ("Accounting Software Licence", 399.0), ("Design Software Licence", 599.0),
        ("Cloud Backup 1 TB (1 yr)", 79.0), ("Project Tracker Seat (1 yr)", 120.0),
        ("PDF Editor Licence", 129.0), ("Email Security (1 yr)", 59.0),
    ],
    "Printing": [
        ("Toner Cartridge Black", 89.0), ("Toner Colour Set", 249.0),
        ("Laser Printer A4", 329.0), ("Multifunction Printer A3", 1490.0),
        ("Business Cards (500)", 45.0), ("Printed Brochures (1000)", 390.0),
        ("Roll-up Banner", 149.0), ("Ink Cartridge Set", 59.0),
    ],
    "Services": [
        ("On-site Installation", 250.0), ("IT Support Hour", 95.0),
        ("Furniture Assembly", 180.0), ("Printer Maintenance Contract", 480.0),
        ("Data Migration", 890.0), ("Training Session", 650.0),
        ("Extended Warranty 3 yr", 199.0), ("Express Delivery", 35.0),
    ],
}

# Monthly seasonality (Jan..Dec): Q4 peak, July dip, back-to-school bump in Aug-Sep.
SEASON = np.array([0.92, 0.95, 1.05, 1.0, 1.0, 0.9, 0.72, 1.02, 1.12, 1.05, 1.2, 1.35])
SEASON = SEASON / SEASON.mean()

_PREFIXES = [
    "Harbor", "Summit", "Pioneer", "Blue Ridge", "Maple", "Granite", "Silver Lake", "Oakwood",
    "Riverside", "Northgate", "Evergreen", "Cedar", "Lakeshore", "Redwood", "Bright", "Keystone",
    "Horizon", "Meridian", "Atlas", "Crescent", "Falcon", "Golden Gate", "Highland", "Ironbridge",
    "Juniper", "Kingsley", "Liberty", "Magnolia", "Northstar", "Orchard", "Parkside", "Quarry",
    "Rosewood", "Sterling", "Trinity", "Union", "Valley", "Westfield", "Willow", "Yardley",
    "Anchor", "Beacon", "Clearwater", "Dalton", "Eastbrook", "Fairview", "Greenfield", "Hillcrest",
    "O'Brien", "St. Mary's", "Baker", "Carter", "Hughes", "Morgan", "Patel", "Nguyen",
]
_CORES = {
    "Retail": ["Outfitters", "Market", "Home Store", "Boutique", "Trading", "Wholesale", "Books", "Pharmacy"],
    "Manufacturing": ["Metalworks", "Plastics", "Engineering", "Fabrication", "Tooling", "Components", "Packaging", "Textiles"],
    "Healthcare": ["Dental", "Medical Centre", "Clinic", "Physiotherapy", "Care Home", "Veterinary", "Labs", "Eye Care"],
    "Education": ["Academy", "School", "College", "Learning Centre", "Institute", "Tutoring", "Montessori", "Language School"],
    "Finance": ["Capital", "Insurance", "Accounting", "Wealth Partners", "Credit Union", "Advisors", "Tax Services", "Brokers"],
    "Hospitality": ["Hotel", "Bistro", "Catering", "Inn", "Events", "Restaurants", "Suites", "Coffee House"],
    "Technology": ["Software", "Systems", "Digital", "Data Labs", "Networks", "Cloud", "Robotics", "Analytics"],
    "Public sector": ["Town Council", "Library", "Water Board", "Housing Authority", "Fire District", "Transit", "Parks Department", "Records Office"],
}
_SUFFIXES = ["Ltd", "Inc", "LLC", "Group", "& Co", "& Sons", "Partners", ""]
_TOWNS = ["Ashford", "Brookside", "Chester", "Dover", "Elmwood", "Fulton", "Glenwood", "Hampton",
          "Irvington", "Jasper", "Kent", "Linden", "Milford", "Newport", "Oxford", "Preston"]
_FIRST = ["Maria", "James", "Aisha", "Chen", "Olivia", "Liam", "Sofia", "Noah", "Priya", "Lucas",
          "Emma", "Mateo", "Hannah", "Yusuf", "Grace", "Daniel", "Mei", "Samuel", "Zoe", "Omar",
          "Ingrid", "Tomás", "Fatima", "Kenji", "Ava", "Ethan", "Leila", "Jonas"]
_LAST = ["Smith", "O'Connor", "Garcia", "Kowalski", "Nguyen", "Müller", "Johnson", "Rossi",
         "Okafor", "Larsen", "Brown", "Silva", "Kim", "Dubois", "Walker", "Haddad", "Novak",
         "Fischer", "Taylor", "Andersen", "Moreau", "Singh", "Clarke", "Romero"]
_MANAGERS = {
    "North": ["A. Jensen", "K. Moore"], "East": ["L. Chen", "R. Patel"],
    "South": ["M. Alvarez", "T. Brooks"], "West": ["S. Novak", "D. Okoro"],
    "Central": ["J. Fischer", "P. Larsen", "H. Kaur"],
}

_NOTES = {
    "contact": {
        "interested": ["Interested in a toner & paper bundle", "Asked for next quarter's catalogue",
                       "Wants a demo of the new docking stations", "Likes the loyalty discount idea",
                       "Asked about bulk pricing for >50 chairs"],
        "not interested": ["Happy with current supplier", "Budget frozen until next year",
                           "Not interested: prices > competitor's offer", "No need right now"],
        "order placed": ["Re-order placed by phone", "Ordered after the spring promotion",
                         "Placed order; wants delivery before Friday", "Order placed & invoice to HQ"],
        "quote sent": ["Quote sent for office refit", "Quote sent: 12 monitors <2 weeks delivery",
                       "Sent quote for printer maintenance contract"],
        "callback requested": ["Call back after the board meeting", "Asked to call back next week",
                               "Buyer on holiday; call back in 2 weeks"],
        "no answer": ["No answer, left voicemail", "Email bounced once, resent",
                      "No answer at reception"],
        "resolved": ["Complaint resolved: credit note issued", "Replacement delivered & confirmed",
                     "Resolved: courier re-delivered the order", "Apologised; customer's issue closed"],
    },
    "visit": {
        "interested": ["Site visit: new wing needs furniture", "Visited office; IT refresh planned in Q4"],
        "order placed": ["Visit ended with an order for chairs & desks", "Signed annual supplies order on site"],
        "not interested": ["Visit: they consolidate purchasing at HQ"],
        "quote sent": ["Measured meeting rooms, quote follows"],
    },
    "complaint": {
        "": ["Delivery 3 days late", "Toner cartridge leaked", "Invoice amount > quoted price",
             "Chair arrived damaged & unusable", "Wrong item delivered <again>",
             "Support didn't call back", "Missing items in the order",
             "Customer said: \"worst delivery this year\""],
    },
    "survey": {
        "": ["Quarterly satisfaction survey", "Post-delivery survey", "Annual account review survey"],
    },
}

_DAY = np.timedelta64(1, "D")
