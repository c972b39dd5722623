"""Migration 0012 carries today's people, licences and applications into the holder model that
admits companies, with nothing lost: a database filled under 0006 is upgraded and compared."""

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestingConfig
from core.app import create_app

BEFORE = "0006_api_tokens"
TABLES = ("people", "sites", "licences", "applications")

ROWS = [
    "INSERT INTO provinces (id, name, code) VALUES (1, 'لرستان', '15')",
    "INSERT INTO counties (id, province_id, name, name_norm, population)"
    " VALUES (1, 1, 'خرم‌آباد', 'خرم آباد', 500000)",
    "INSERT INTO people (id, national_id, first_name, last_name, name_norm, education, created_at,"
    " updated_at, version) VALUES (1, '0499370899', 'سارا', 'محمدی', 'سارا محمدی', 'bachelor', :t, :t, 1),"
    " (2, '0084575948', 'رضا', 'کاظمی', 'رضا کاظمی', 'diploma', :t, :t, 1)",
    "INSERT INTO sites (id, kind, code, name, name_norm, county_id, locality, locality_type, address,"
    " address_norm, status, operator_id, lat, lon, created_at, updated_at, version) VALUES (1,"
    " 'counter_office', '66000001', 'دفتر مهر', 'دفتر مهر', 1, 'خرم‌آباد', 'city', 'خیابان امام',"
    " 'خیابان امام', 'active', 1, 33.48, 48.35, :t, :t, 1)",
    "INSERT INTO licences (id, number, office_kind, site_id, holder_id, issued_on, expires_on, status,"
    " office_name, address, verify_token, created_at, updated_at, version) VALUES (1, '15-P-1401-00001',"
    " 'counter_office', 1, 1, '2022-09-16', '2027-09-16', 'active', 'دفتر مهر', 'خیابان امام', 'tok1',"
    " :t, :t, 1), (2, '15-P-1396-00001', 'counter_office', 1, 2, '2017-09-16', '2022-09-16', 'superseded',"
    " 'دفتر مهر', 'خیابان امام', 'tok2', :t, :t, 1)",
    "INSERT INTO applications (id, number, kind, office_kind, state, applicant_id, licence_id, site_id,"
    " received_on, due_on, created_at, updated_at, version) VALUES (1, '1401-00001', 'renewal',"
    " 'counter_office', 'under_review', 1, 1, 1, '2022-09-01', '2022-10-01', :t, :t, 1), (2, '1401-00002',"
    " 'transfer', 'counter_office', 'closed', 2, 1, 1, '2022-08-01', '2022-10-01', :t, :t, 1)",
]


def _rows(engine, table: str, columns: list[str]) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"))
        ]


def test_0012_keeps_every_person_licence_and_application(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        upgrade(revision=BEFORE)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for statement in ROWS:
                conn.execute(sa.text(statement), {"t": "2022-09-01 10:00:00"})
        columns = {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in TABLES}
        before = {t: _rows(engine, t, columns[t]) for t in TABLES}
        upgrade()
        after = {t: _rows(engine, t, columns[t]) for t in TABLES}
        assert after == before  # every old column of every row as it was
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT holder_company_id FROM licences")).scalars().all() == [
                None,
                None,
            ]
            assert conn.execute(sa.text("SELECT applicant_company_id FROM applications")).scalars().all() == [
                None,
                None,
            ]
            assert conn.execute(sa.text("SELECT state_employee FROM people")).scalars().all() == [0, 0]
        engine.dispose()
