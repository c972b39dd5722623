"""Licence numbers never repeat, also when many officers issue at the same moment."""

import threading
from datetime import date

from sqlalchemy import func, select

from core.extensions import db as _db
from licensing import operations as ops
from licensing.models import Application, ApplicationKind, Licence
from tests import factories

ISSUERS = 50


def test_concurrent_issuing_gives_distinct_numbers(app, db):
    county = factories.make_county(population=10_000_000)
    ids = []
    for n in range(ISSUERS):
        application = ops.create_application(
            ApplicationKind.NEW,
            **factories.company_applicant(f"شرکت {n}"),
            premises_m2=60,
            premises_owned=True,
            actor=None,
            office_name=f"دفتر {n}",
            county_id=county.id,
            locality="خرم‌آباد",
            address=f"خیابان {n}",
            lat=33.0 + n * 0.02,
            lon=48.0,
            received_on=date(2022, 9, 1),
        )
        factories.approve(application, held_on=date(2022, 9, 10))
        ids.append(application.id)
    db.session.commit()

    barrier = threading.Barrier(ISSUERS)
    numbers, errors = [], []

    def issue(application_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                application = _db.session.get(Application, application_id)
                licence = ops.issue_licence(application, actor=None, issued_on=date(2022, 9, 16))
                _db.session.commit()
                numbers.append(licence.number)
            except Exception as exc:
                errors.append((application_id, repr(exc)))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(numbers) == ISSUERS and len(set(numbers)) == ISSUERS
    assert sorted(numbers) == [f"15-P-1401-{n:05d}" for n in range(1, ISSUERS + 1)]
    assert db.session.scalar(select(func.count()).select_from(Licence)) == ISSUERS
