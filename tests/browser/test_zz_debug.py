from tests.browser.test_dashboards import open_board, reverse  # noqa
from tests.boards.conftest import board, bar_chart, line_chart, sales_query, daily_query  # noqa

def test_debug(live_server, worker, board, analyst, login):
    page = login(analyst)
    msgs = []
    page.on("console", lambda m: msgs.append(m.text))
    url = f"{live_server.url}{reverse('boards:dashboard', args=[board.pk])}?edit=1"
    open_board(page, url)
    bar = board.widgets.get(visualization__spec__type="bar")
    item = page.locator(f'.grid-stack-item[gs-id="{bar.pk}"]')
    print("classes", item.get_attribute("class"))
    print(page.evaluate("document.querySelector('.grid-stack').className"))
    box = item.locator(".widget-head").bounding_box()
    print(box)
    page.mouse.move(box["x"] + 60, box["y"] + 10)
    page.mouse.down()
    page.evaluate("window.__ev = []; dashwireBoard.grid.on('change dragstart dragstop drag', (e, x) => window.__ev.push(e.type))")
    for i in range(1, 21):
        page.mouse.move(box["x"] + 60 + i * 15, box["y"] + 10 + i * 10)
        page.wait_for_timeout(30)
    page.mouse.up()
    page.wait_for_timeout(500)
    print(item.get_attribute("gs-x"), item.get_attribute("gs-y"), page.evaluate("document.querySelector('[data-board]').dataset.layoutSaved"))
    page.screenshot(path="/tmp/dbg.png")
    print("ev", page.evaluate("JSON.stringify(window.__ev)"))
    print("node", page.evaluate("JSON.stringify(dashwireBoard.grid.engine.nodes.map(n => [n.id, n.x, n.y, n.w, n.h]))"))
    print(msgs)
