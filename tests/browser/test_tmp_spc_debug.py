from tests.browser.test_officer_journey import *  # noqa

def test_debug(transactional_db, demo, live_server, browser):
    from scorecard.synthetic import add_synthetic_history
    add_synthetic_history()
    officer = User.objects.create_user("dbg", password=PASSWORD)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/indicators/APP17/%3Farea%3Ddover")
    page.fill("#id_username", "dbg"); page.fill("#id_password", PASSWORD); page.click("button[type=submit]")
    page.wait_for_selector("#spc-chart[data-drawn=true]")
    print(page.evaluate("""() => ['#trend-chart', '#spc-chart'].map(s => { const e = document.querySelector(s);
      return [s, e.getBoundingClientRect().height, e.querySelector('.svg-container').style.height,
              e.querySelector('.main-svg').getAttribute('height'), getComputedStyle(e).height, e._fullLayout.height, e._fullLayout.margin.b]; })"""))
