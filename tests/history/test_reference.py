"""Reference data (issue 13, item 1): provinces, counties, cities and villages from the shipped
census file or a directorate's own, by `flask reference import`; read by the API; a point's locality."""

from sqlalchemy import func, select

from registry.localities import locality_at, points_share_locality
from registry.models import County, Locality, LocalityType, Province


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["reference", "import", *args])


def test_the_shipped_file_loads_31_provinces_and_lorestans_counties_once(app, db):
    result = _run(app)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Province)) == 31
    assert db.session.scalar(select(func.sum(Province.population))) == 79_926_270
    lorestan = db.session.scalar(select(Province).where(Province.code == "15"))
    assert lorestan.name == "لرستان" and lorestan.population == 1_760_649 and lorestan.census_year == 1395
    counties = {c.name: c for c in lorestan.counties}
    assert len(counties) == 11 and counties["خرم‌آباد"].population == 573_000
    assert counties["بروجرد"].center_lat == 33.8973 and counties["بروجرد"].census_year == 1395
    towns = db.session.scalars(select(Locality)).all()
    assert towns and all(t.type == LocalityType.CITY and t.radius_m > 0 for t in towns)
    again = _run(app)
    assert again.exit_code == 0 and "created 0, updated 0" in again.output


def test_one_province_only_and_a_dry_run_saves_nothing(app, db):
    dry = _run(app, "--province", "15", "--dry-run")
    assert dry.exit_code == 0 and "created 36" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Province)) == 0
    _run(app, "--province", "15")
    assert db.session.scalars(select(Province.code)).all() == ["15"]
    assert db.session.scalar(select(func.count()).select_from(County)) == 11


def test_bad_rows_are_named_by_line_and_the_good_ones_arrive(app, db, tmp_path):
    path = tmp_path / "counties.csv"
    path.write_text(
        "سطح,کد استان,استان,شهرستان,نام,نوع آبادی,جمعیت,سال سرشماری,عرض جغرافیایی,طول جغرافیایی,شعاع (متر)\n"
        "استان,15,لرستان,,لرستان,,1760649,1395,,,\n"
        "شهرستان,15,لرستان,خرم‌آباد,خرم‌آباد,,۵۷۳۲۴۲,۱۳۹۵,33.48,48.35,\n"
        "شهرستان,15,لرستان,بروجرد,بروجرد,,سیصد,1395,,,\n"
        "شهر یا روستا,15,لرستان,ازنا,ازنا,شهر,,1395,33.45,49.45,3000\n"
        "شهر یا روستا,15,لرستان,خرم‌آباد,خرم‌آباد,شهر,,1395,33.4878,48.3558,4000\n",
        encoding="utf-8",
    )
    result = _run(app, str(path))
    assert result.exit_code == 1
    assert "line 4: «سیصد» در ستون «جمعیت» عدد درست نیست." in result.output
    assert "line 5: شهرستان «ازنا» در استان لرستان تعریف نشده است" in result.output
    county = db.session.scalar(select(County))
    assert county.name == "خرم‌آباد" and county.population == 573_242
    assert db.session.scalar(select(func.count()).select_from(Locality)) == 1


def test_a_point_belongs_to_the_town_whose_radius_reaches_it(app, db):
    _run(app, "--province", "15")
    centre = locality_at(33.4878, 48.3558)
    assert centre is not None and centre.name == "خرم‌آباد"
    assert locality_at(33.4878 + 0.01, 48.3558).name == "خرم‌آباد"  # about 1.1 km north
    assert locality_at(33.0, 47.0) is None
    assert points_share_locality((33.4878, 48.3558), (33.49, 48.36))
    assert not points_share_locality((33.4878, 48.3558), (33.8973, 48.7516))


def test_the_reference_api_reads_what_was_imported(app, db, caller, anonymous):
    _run(app, "--province", "15")
    inspector = caller("inspector")
    answer = inspector.get("/reference/provinces")
    assert answer.status_code == 200, answer.json
    provinces = answer.json["items"]
    assert [(p["code"], p["population"], p["census_year"]) for p in provinces] == [("15", 1_760_649, 1395)]
    counties = inspector.get("/reference/counties?province=15").json["items"]
    assert len(counties) == 11 and counties[0]["name"] == "خرم‌آباد" and counties[0]["population"] == 573_000
    towns = inspector.get(f"/reference/localities?county={counties[0]['id']}").json["items"]
    assert towns[0]["name"] == "خرم‌آباد" and towns[0]["radius_m"] == 4000 and towns[0]["type_label"] == "شهر"
    assert anonymous.get("/reference/provinces").status_code == 401
