#!/usr/bin/env python3
"""Builds careerql's compact seed from the BLS and O*NET source files.

Reads src/seed/catalog.json (the editorial catalog) and, from ../shared/data (or $CAREERQL_DATA):
  oews/oews_may2025_metro_national_tech.csv          BLS OEWS May 2025 (public domain)
  onet/onet_29_2_project_tools_x_occupations.csv      O*NET 29.2 (CC BY 4.0)
and writes the generated CSVs beside catalog.json. Run it again after editing the catalog; the seed is
compiled into the binary, so the source files are not needed at run time.
"""
import csv
import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "src" / "seed"
DATA = Path(os.environ.get("CAREERQL_DATA", ROOT.parent / "shared" / "data"))

catalog = json.loads((SEED / "catalog.json").read_text())
mapped_socs = {role["soc_code"] for role in catalog["roles"]}
hubs = set(catalog["hubs"])
KINDS = {"N": "NATIONAL", "S": "STATE", "M": "METROPOLITAN", "B": "NONMETROPOLITAN"}


def area_code(code7, kind):
    """BLS prints metro codes as 5 digits (41860) and state codes as 2-digit FIPS; the nation keeps 0000000."""
    if kind in ("METROPOLITAN", "NONMETROPOLITAN"):
        return code7[-5:]
    if kind == "STATE":
        return code7[:2]
    return code7


def city_fields(title, kind):
    if kind == "NATIONAL":
        return "united-states", "United States", ""
    names, states = title.rsplit(", ", 1)
    name = names.split("-")[0]
    state = states.split("-")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", f"{name} {state}".lower()).strip("-")
    return slug, name, state


rows = list(csv.DictReader(open(DATA / "oews" / "oews_may2025_metro_national_tech.csv", newline="")))

cities = {}
occupations = {}
ranges = []
for row in rows:
    kind = KINDS[row["area_type"]]
    code = area_code(row["area_code"], kind)
    if code not in cities:
        slug, name, state = city_fields(row["area_name"], kind)
        title = "U.S." if kind == "NATIONAL" else row["area_name"]
        cities[code] = [slug, name, state, code, title, kind, "true" if code in hubs else "false"]
    if row["soc_code"] not in mapped_socs or row["status"] != "published":
        continue
    occupations[row["soc_code"]] = row["occupation_title"]
    unreleased = {f.split(":")[0] for f in row["footnotes"].split(";") if f.endswith(":8")}
    top_coded = {f.split(":")[0] for f in row["footnotes"].split(";") if f.endswith(":5")}

    def value(field):
        return "" if field in unreleased or row[field] in ("", "-") else row[field]

    for period, prefix in (("ANNUAL", "a_"), ("HOURLY", "h_")):
        stats = ["pct10", "pct25", "median", "pct75", "pct90", "mean"]
        flagged = [s for s in stats if prefix + s in top_coded]
        ranges.append([
            row["soc_code"], code, period,
            *[value(prefix + s) for s in stats],
            " ".join(flagged),
            value("employment"), value("location_quotient") if "location_quotient" in row else value("loc_quotient"),
            # BLS's relative standard errors (percent) and jobs per 1,000, as the file prints them.
            value("emp_prse"), value("mean_prse"), value("jobs_1000"),
        ])

with open(SEED / "cities.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["slug", "name", "state", "area_code", "area_title", "kind", "hub"])
    w.writerows(sorted(cities.values(), key=lambda c: (c[5] != "NATIONAL", c[0])))

with open(SEED / "occupations.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["soc_code", "title"])
    w.writerows(sorted(occupations.items()))

with open(SEED / "salary_ranges.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["soc_code", "area_code", "period", "p10", "p25", "median", "p75", "p90", "mean",
                "top_coded", "employment", "location_quotient", "employment_rse", "mean_rse", "jobs_per_1000"])
    w.writerows(ranges)

# role <-> tool links: every tool O*NET 29.2 lists for the role's O*NET occupation, plus the tools the
# overview names for the role (extra_tools); O*NET's flags where O*NET has the tool, empty where it doesn't.
onet = {}
for row in csv.DictReader(open(DATA / "onet" / "onet_29_2_project_tools_x_occupations.csv", newline="")):
    onet[(row["onet_example"], row["onet_soc_code"])] = (row["hot_technology"], row["in_demand"])
with open(SEED / "role_tools.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["role", "tool", "onet_example", "hot_technology", "in_demand"])
    for role in catalog["roles"]:
        for tool in catalog["tools"]:
            flags = onet.get((tool["onet_example"], role["onet_soc_code"]))
            if flags:
                w.writerow([role["slug"], tool["slug"], tool["onet_example"], *flags])
            elif tool["slug"] in role["extra_tools"]:
                w.writerow([role["slug"], tool["slug"], "", "", ""])

print(f"{len(cities)} cities, {len(occupations)} occupations, {len(ranges)} salary ranges written to {SEED}")
