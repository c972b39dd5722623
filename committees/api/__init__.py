"""The violations committee's API: cases, committee sessions (attendance, votes, recusals, rulings)
and rulings (service, fine, appeal), with the catalogue and the members to refer to. Each module
registers its routes on the shared `api` blueprint, so endpoint names are `api.<function>`.

GET/POST /api/v1/cases ?state= &source= &county= &q=       GET /api/v1/cases/<id>
POST /api/v1/cases/<id>/defence-request | /defence | /ready | /close
GET/POST /api/v1/committee-sessions                        GET /api/v1/committee-sessions/<id>
POST …/agenda   PUT …/attendance   POST …/corrections   POST …/close
POST …/cases/<case>/votes | /my-vote | /recusals | /ruling
GET  /api/v1/rulings ?state= &penalty= &case_id=           GET /api/v1/rulings/<id>
POST /api/v1/rulings/<id>/service | /fine-payment | /appeals | /appeals/<appeal>/decision
GET  /api/v1/violation-types     GET /api/v1/committee-members
"""

from committees.api import cases, rulings, sessions  # noqa: F401  (each module registers its routes)
