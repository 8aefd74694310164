"""Speed of knowledge search on a generated base of 50,000 articles.

    .venv/bin/python benchmarks/knowledge_search_speed.py [--articles 50000] [--queries 3000] [--seed 7]

The articles recombine realistic vocabulary: sentences of the test collection's articles, product
names, product codes (which jieba does not know), customer-service issues and phrasings, tags and
categories. The queries are the test collection's queries, the same with product names or codes in
front, short keyword queries and agent-style questions. Reports the index build time and memory
(resident set growth), the snapshot size and its dump/load time, incremental update time, and the
50th/95th/99th-percentile query time (search with highlighting, top 10), with and without filters.
Figures go to docs/benchmarks.md, section "Knowledge search".
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import random
import re
import statistics
import sys
import time

from servicecoach.knowledge.engine.analysis import Analyzer
from servicecoach.knowledge.engine.collection import load_articles, load_queries
from servicecoach.knowledge.engine.index import KINDS, SearchIndex

PRODUCTS = (
    "空气炸锅 扫地机器人 净水器 热水器 空调 冰箱 洗衣机 电动牙刷 蓝牙耳机 手机壳 钢化膜 充电器 数据线 "
    "羽绒服 运动鞋 奶粉 纸尿裤 电饭煲 破壁机 吸尘器 加湿器 电热毯 床垫 沙发 衣柜 台灯 智能手表 平板电脑 "
    "笔记本电脑 机械键盘 无线鼠标 显示器 路由器 投影仪 电视 微波炉 烤箱 洗碗机 油烟机 燃气灶 保温杯 "
    "行李箱 双肩包 连衣裙 牛仔裤 羊毛衫 冲锋衣 儿童座椅 婴儿推车 猫粮 狗粮 面霜 精华液 洗发水 卫生纸"
).split()
BRANDS = "小蓝 云帆 青禾 北辰 森屿 橙光 极客 暖居 海盐 拾光".split()
ISSUES = [
    "坏了", "不能开机", "漏水", "有异味", "充不进电", "发错了", "少了配件", "外包装破损", "一直没发货",
    "物流不动", "想退货", "想换货", "发票开错了", "优惠券用不了", "降价了", "安装收费", "噪音很大",
    "颜色不对", "尺码偏小", "保修多久", "怎么清洗", "怎么安装", "能开专票吗", "能用花呗吗", "到货慢",
]  # fmt: skip
TITLE_FORMS = [
    "{p}{i}怎么办", "{b}{p}{i}如何处理", "{p}（{c}）{i}", "关于{b}{p}的{t}说明", "{p}{t}常见问题",
    "{t}：{p}{i}的处理话术", "案例：客户反映{p}{i}", "{p}售后规则（{t}）",
]  # fmt: skip
SIMILAR_FORMS = ["{p}{i}了怎么弄", "买的{p}{i}", "{c}{i}", "{p}{i}能退吗", "{b}的{p}{i}找谁"]


def product_code(rng: random.Random) -> str:
    return f"{rng.choice('ABCDHKMSTXZ')}{rng.choice('ABCDHKMSTXZ')}-{rng.randint(1000, 9999)}"


def generate_articles(n: int, rng: random.Random) -> list[dict]:
    seeds = load_articles()
    sentences = [s for a in seeds for s in re.split(r"(?<=[。！？])", a["body"]) if len(s) > 6]
    tags = sorted({t for a in seeds for t in a["tags"]})
    categories = sorted({a["category"] for a in seeds})
    kinds = ["faq"] * 6 + ["script"] * 2 + ["case", "risk", "standard"]
    assert set(kinds) == set(KINDS)
    articles = []
    for number in range(n):
        p, b, i, c = rng.choice(PRODUCTS), rng.choice(BRANDS), rng.choice(ISSUES), product_code(rng)
        t = rng.choice(tags)
        fill = dict(p=p, b=b, i=i, c=c, t=t)
        body = "".join(rng.sample(sentences, rng.randint(2, 5)))
        body = f"{b}{p}（型号{c}）{i}时：" + body
        articles.append({
            "id": f"gen-{number:06d}",
            "kind": rng.choice(kinds),
            "title": rng.choice(TITLE_FORMS).format(**fill),
            "body": body,
            "category": rng.choice(categories),
            "tags": rng.sample(tags, rng.randint(1, 3)),
            "similar": [rng.choice(SIMILAR_FORMS).format(**fill) for _ in range(rng.randint(0, 2))],
        })  # fmt: skip
    return articles


def generate_queries(n: int, articles: list[dict], rng: random.Random) -> list[str]:
    collection = [q.text for q in load_queries()]
    codes = [re.search(r"型号([A-Z]{2}-\d{4})", a["body"]).group(1) for a in rng.sample(articles, 200)]
    queries = []
    while len(queries) < n:
        form = rng.random()
        if form < 0.35:
            queries.append(rng.choice(collection))
        elif form < 0.6:
            queries.append(rng.choice(PRODUCTS) + rng.choice(collection))
        elif form < 0.75:
            queries.append(f"{rng.choice(PRODUCTS)}{rng.choice(ISSUES)}")
        elif form < 0.85:
            queries.append(f"{rng.choice(codes)} {rng.choice(ISSUES)}")
        elif form < 0.95:
            queries.append(f"客户说{rng.choice(BRANDS)}{rng.choice(PRODUCTS)}{rng.choice(ISSUES)}，怎么回复")
        else:
            queries.append(rng.choice(PRODUCTS))
    return queries


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (
        f"p50 {pick(0.50):.1f} ms, p95 {pick(0.95):.1f} ms, p99 {pick(0.99):.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms, mean {statistics.fmean(ordered) * 1000:.1f} ms"
    )


def time_queries(index: SearchIndex, queries: list[str], **filters) -> tuple[list[float], float]:
    samples, flagged = [], 0
    for query in queries:
        started = time.perf_counter()
        result = index.search(query, limit=10, **filters)
        samples.append(time.perf_counter() - started)
        flagged += result.no_good_answer
    return samples, flagged / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    print(
        f"date {datetime.date.today()}, nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}"
    )
    articles = generate_articles(args.articles, rng)
    queries = generate_queries(args.queries, articles, rng)
    chars = sum(len(a["title"]) + len(a["body"]) + sum(map(len, a["similar"])) for a in articles)
    print(
        f"{len(articles)} articles ({chars / len(articles):.0f} characters each on average), {len(queries)} queries"
    )

    analyzer = Analyzer()  # loads jieba's dictionary once (about a second), not part of the build
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = SearchIndex.build(articles, analyzer)
    build = time.perf_counter() - started
    gc.collect()
    print(
        f"build: {build:.1f} s ({len(articles) / build:.0f} articles/s), resident memory +{rss_mb() - before:.0f} MB"
    )

    started = time.perf_counter()
    data = index.dumps()
    dump = time.perf_counter() - started
    started = time.perf_counter()
    loaded = SearchIndex.loads(data)
    load = time.perf_counter() - started
    print(f"snapshot: {len(data) / 2**20:.1f} MB, dumps {dump:.1f} s, loads {load:.1f} s")
    del data, loaded
    gc.collect()

    index.search("预热")  # the first query computes the length normalisation once
    samples, flagged = time_queries(index, queries)
    print(f"search, top 10 with highlights: {percentiles(samples)}; no good answer {flagged:.0%}")
    kinds_samples, _ = time_queries(index, queries[:1000], kind="faq")
    print(f"search with kind=faq filter (1000 queries): {percentiles(kinds_samples)}")
    tag_samples, _ = time_queries(index, queries[:1000], category="退款", tag="退款")
    print(f"search with category+tag filter (1000 queries): {percentiles(tag_samples)}")

    update_times = []
    for article in rng.sample(articles, 200):
        changed = {**article, "body": article["body"] + "补充说明：如有疑问请联系在线客服。"}
        started = time.perf_counter()
        index.update(changed)
        update_times.append(time.perf_counter() - started)
    print(f"update of one article (200 updates): {percentiles(update_times)}")
    started = time.perf_counter()
    index.search("退款多久到账")
    print(
        f"first search after the updates (recomputes length norms): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
