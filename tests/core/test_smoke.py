from core.security import Role


def test_login_and_dashboard(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.get_data(as_text=True)
