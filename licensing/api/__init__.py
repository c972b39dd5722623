"""Licensing: applications and their workflow, working-group sessions and decisions, licences.

GET  /api/v1/applications ?state= &kind= &q= &overdue=     POST /api/v1/applications
GET  /api/v1/applications/<id>                             (checks, checklist, steps, allowed steps)
POST /api/v1/applications/<id>/transitions                 {to_state, note}
POST /api/v1/applications/<id>/documents                   multipart: document_type_id, file
POST /api/v1/applications/<id>/overrides                   {check_code, reason}
POST /api/v1/applications/<id>/visit-requests              {due_on, note}
POST /api/v1/applications/<id>/licence                     issue the licence of an approved one
GET/POST /api/v1/wg-sessions, GET /api/v1/wg-sessions/<id>, POST …/attendees, …/agenda,
DELETE …/agenda/<item>, POST …/agenda/<item>/decision, POST …/close
GET  /api/v1/licences ?status= &q= &expiring=              GET /api/v1/licences/<number>

Working-group decisions (approved / rejected / deferred) are taken only on a session's agenda and
a licence only through …/licence, as on the screens; transitions covers the other steps.
"""

from licensing.api import applications, working_group  # noqa: F401  (register the routes on api.bp)
