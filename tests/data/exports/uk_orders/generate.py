"""Writes orders.csv: a UK-style order-line export (day-first dates, £ amounts, a territory column).

Run from this folder: python generate.py (deterministic: the same file every time).
"""

import csv
import datetime as dt
import random

TERRITORIES = ["North", "Midlands", "London", "South West", "Scotland"]
PRODUCTS = [("Desk lamp", 24.5), ("Office chair", 189.0), ("Filing cabinet", 1200.0), ("Monitor arm", 64.99)]
CUSTOMERS = [(f"UK{100 + n}", f"{name} Ltd", TERRITORIES[n % len(TERRITORIES)])
             for n, name in enumerate(["Abbey", "Bramley", "Carden", "Dunmore", "Elgin", "Fenwick", "Glenrock",
                                       "Harrow", "Ivybridge", "Jarrow", "Kelso", "Lanark", "Morley", "Newbury",
                                       "Oakham", "Penrith", "Quorn", "Rugby", "Selby", "Thirsk"])]

rng = random.Random(19)
rows = []
for n in range(200):
    customer_id, name, territory = CUSTOMERS[n % len(CUSTOMERS)]
    product, price = rng.choice(PRODUCTS)
    quantity = rng.randint(1, 4)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(182))
    status = "On Hold" if n == 57 else rng.choice(["Shipped", "Shipped", "Shipped", "Delivered"])
    rows.append([f"SO-{5000 + n}", day.strftime("%d/%m/%Y"), customer_id, name, territory, product, quantity,
                 f"£{price * quantity:,.2f}", status, rng.choice(["J. Patel", "S. Murray", "A. Okafor"])])

with open("orders.csv", "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(["Sales order lines, exported 01/07/2024"])
    writer.writerow(["Order No", "Order Date", "Customer ID", "Customer Name", "Territory", "Product", "Qty",
                     "Net Amount", "Status", "Sales Rep"])
    writer.writerows(rows)
