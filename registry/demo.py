DEMO_ACCOUNTS = ()


def seed_demo(password):
    return ""
