"""Reference data from a file: provinces, counties, cities and villages with their census populations,
centres and radii (`flask reference import FILE`). Rows are matched by code (provinces) and name
(the rest), so importing the same file twice changes nothing; errors name the file's line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.extensions import db
from core.persian import clean_text, digits_only, normalize_for_search, to_latin_digits
from registry.importer.table import ImportFileError, ImportReport, RowError, Table, _key, read_table
from registry.models import County, Locality, LocalityType, Province, county_key

DEFAULT_FILE = Path(__file__).parent / "data" / "reference_1395.csv"

HEADERS = {
    "level": ("سطح", "level"),
    "province_code": ("کد استان", "province_code"),
    "province": ("استان", "province"),
    "county": ("شهرستان", "county"),
    "name": ("نام", "name"),
    "type": ("نوع آبادی", "type"),
    "population": ("جمعیت", "population"),
    "census_year": ("سال سرشماری", "census_year"),
    "lat": ("عرض جغرافیایی", "lat"),
    "lon": ("طول جغرافیایی", "lon"),
    "radius_m": ("شعاع (متر)", "شعاع", "radius_m"),
}
LEVELS = {_key("استان"): "province", _key("شهرستان"): "county", _key("شهر یا روستا"): "locality"}
LEVELS.update({_key("شهر"): "locality", _key("روستا"): "locality"})
TYPES = {_key("شهر"): LocalityType.CITY, _key("روستا"): LocalityType.VILLAGE}


class _Bad(ValueError):
    pass


def _int(row: dict, key: str, *, required: bool = False) -> int | None:
    text = to_latin_digits(clean_text(str(row.get(key) or ""))).replace(",", "").replace("٬", "")
    if not text:
        if required:
            raise _Bad(f"ستون «{HEADERS[key][0]}» خالی است.")
        return None
    if not text.isdigit():
        raise _Bad(f"«{text}» در ستون «{HEADERS[key][0]}» عدد درست نیست.")
    return int(text)


def _float(row: dict, key: str, *, required: bool = False) -> float | None:
    text = to_latin_digits(clean_text(str(row.get(key) or ""))).replace("٫", ".")
    if not text:
        if required:
            raise _Bad(f"ستون «{HEADERS[key][0]}» خالی است.")
        return None
    try:
        return float(text)
    except ValueError:
        raise _Bad(f"«{text}» در ستون «{HEADERS[key][0]}» عدد درست نیست.") from None


def import_reference(
    source: str | Path | Table, *, dry_run: bool = False, province_code: str | None = None
) -> ImportReport:
    """Create or update the rows of the file (only one province's with province_code)."""
    table = read_table(source)
    columns = {}
    for index, header in enumerate(table.header):
        for key, names in HEADERS.items():
            if _key(header) in {_key(n) for n in names}:
                columns[key] = index
    missing = [HEADERS[k][0] for k in ("level", "name") if k not in columns]
    if missing:
        raise ImportFileError("ستون‌های لازم در فایل نیست: " + "، ".join(missing))
    report = ImportReport()
    for line, cells in table.rows:
        row = {k: (cells[i] if i < len(cells) else None) for k, i in columns.items()}
        code = digits_only(str(row.get("province_code") or ""))
        if province_code is not None and code and code != province_code:
            continue
        try:
            with db.session.begin_nested():
                outcome = _apply(row)
                db.session.flush()
        except _Bad as problem:
            report.errors.append(RowError(line, str(problem)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    if dry_run:
        db.session.rollback()
    return report


def _province(row: dict) -> Province:
    code = digits_only(str(row.get("province_code") or ""))
    name = clean_text(str(row.get("province") or ""))
    stmt = select(Province)
    province = db.session.scalar(stmt.where(Province.code == code)) if code else None
    if province is None and name:
        province = db.session.scalar(stmt.where(Province.name == name))
    if province is None:
        raise _Bad(
            f"استان «{code or name}» در فایل یا سامانه تعریف نشده است؛ سطر استان را پیش از آن بیاورید."
        )
    return province


def _county(row: dict, province: Province) -> County:
    name = clean_text(str(row.get("county") or ""))
    county = db.session.scalar(
        select(County).where(County.province_id == province.id, County.name_norm == county_key(name))
    )
    if county is None:
        raise _Bad(
            f"شهرستان «{name}» در استان {province.name} تعریف نشده است؛ سطر شهرستان را پیش از آن بیاورید."
        )
    return county


def _changed(obj: Any, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if value is not None and getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _apply(row: dict) -> str:
    level = LEVELS.get(_key(row.get("level")))
    name = clean_text(str(row.get("name") or ""))
    if level is None:
        raise _Bad(
            f"سطح «{clean_text(str(row.get('level') or ''))}» شناخته نیست؛ استان، شهرستان یا شهر یا روستا."
        )
    if not name:
        raise _Bad("ستون «نام» خالی است.")
    population, year = _int(row, "population"), _int(row, "census_year")
    if level == "province":
        code = digits_only(str(row.get("province_code") or ""))
        if not code:
            raise _Bad("کد استان خالی است.")
        province = db.session.scalar(select(Province).where(Province.code == code))
        if province is None:
            db.session.add(Province(code=code, name=name, population=population, census_year=year))
            return "created"
        return (
            "updated"
            if _changed(province, {"name": name, "population": population, "census_year": year})
            else "unchanged"
        )
    province = _province(row)
    lat, lon = _float(row, "lat"), _float(row, "lon")
    if level == "county":
        row.setdefault("county", name)
        row["county"] = row.get("county") or name
        county = db.session.scalar(
            select(County).where(County.province_id == province.id, County.name_norm == county_key(name))
        )
        values = {"population": population, "census_year": year, "center_lat": lat, "center_lon": lon}
        if county is None:
            county = County(province=province, **values)
            county.set_name(name)
            db.session.add(county)
            return "created"
        return "updated" if _changed(county, values) else "unchanged"
    county = _county(row, province)
    kind = TYPES.get(_key(row.get("type")))
    if kind is None:
        raise _Bad("نوع آبادی را «شهر» یا «روستا» بنویسید.")
    if lat is None or lon is None:
        raise _Bad("مختصات مرکز شهر یا روستا (عرض و طول جغرافیایی) لازم است.")
    radius = _int(row, "radius_m", required=True)
    norm = normalize_for_search(name)
    locality = db.session.scalar(
        select(Locality).where(Locality.county_id == county.id, Locality.name_norm == norm)
    )
    values = {
        "type": kind,
        "population": population,
        "census_year": year,
        "lat": lat,
        "lon": lon,
        "radius_m": radius,
    }
    if locality is None:
        db.session.add(Locality(county=county, name=name, name_norm=norm, **values))
        return "created"
    return "updated" if _changed(locality, values) else "unchanged"
