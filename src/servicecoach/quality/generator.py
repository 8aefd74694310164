"""Realistic generated Chinese customer-service conversations (conversation-v1 dicts), for the demo
data and the benchmark. Deterministic for a seed: the same call gives the same records.

Each conversation is built from a scenario (delivery, refund, product question, complaint, ...) and
a handful of agent habits drawn at random: greets or not, apologises after a complaint or not, uses
a forbidden phrase now and then, answers slowly, leaks a phone number, closes politely or not. So the
built-in rule pack has something to find, in realistic proportions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

SCENARIOS = [
    ("物流", ["我的快递三天了还没到", "物流一直没有更新", "显示已签收但我没收到"],
     ["已为您查询，包裹在派送站，预计明天送达", "我这边帮您催促站点，今天内会联系您", "已为您登记核实，24小时内给您答复"]),
    ("退款", ["退款怎么还没到账", "我要申请退货退款", "退款被拒绝了是怎么回事"],
     ["退款已原路退回，预计1-3个工作日到账", "已为您提交退货申请，快递员上门取件后处理退款", "我帮您重新提交，审核通过后原路退回"]),
    ("商品咨询", ["这款有没有大一号的", "这个能用多久", "和上一代有什么区别"],
     ["这款有L码，现在下单当天发货", "正常使用可以用两到三年", "新款续航更长，重量也轻了一些"]),
    ("发票", ["怎么开发票", "发票抬头写错了"],
     ["在订单详情里点申请开票就可以", "我帮您作废重开，新发票会发到您的邮箱"]),
    ("售后维修", ["用了一周就坏了", "屏幕有坏点怎么办"],
     ["非常抱歉，这个在保修期内，我帮您申请免费维修", "可以直接换新，我现在为您登记"]),
]
COMPLAINTS = ["太差了，什么破服务", "我要投诉你们", "等了半天都没人管", "你们就是骗子", "再不解决我就去12315"]
GREETINGS = ["您好，很高兴为您服务", "您好，请问有什么可以帮您", "亲，您好，欢迎咨询"]
APOLOGIES = ["非常抱歉给您带来不便", "很抱歉让您久等了", "非常理解您的心情，给您添麻烦了"]
FORBIDDEN = ["不知道，你自己看", "这是公司规定的，我也没办法", "你急什么", "不归我管"]
CLOSINGS = ["请问还有什么可以帮您？祝您生活愉快", "还有其他问题随时联系我们，再见", "感谢您的耐心，祝您购物愉快"]
CUSTOMER_OK = ["好的", "行，谢谢", "明白了", "嗯嗯"]
CHANNELS = ["chat"] * 8 + ["social", "email"]


def generate_records(
    n: int, agents: list[str], *, start: datetime, days: int = 30, seed: int = 1, source: str = "demo",
    id_prefix: str = "demo", offset: int = 0,
) -> Iterator[dict[str, Any]]:
    """``n`` conversations spread over ``days`` days from ``start``, handled by ``agents`` (employee
    numbers; each agent has a steady skill that decides how often they slip)."""
    rng = random.Random(seed)
    skill = {agent: 0.55 + 0.4 * random.Random(f"{seed}-{agent}").random() for agent in agents}
    for index in range(offset, offset + n):
        agent = agents[index % len(agents)]
        good = skill[agent]
        tag, asks, answers = SCENARIOS[rng.randrange(len(SCENARIOS))]
        started = start + timedelta(days=rng.randrange(max(days, 1)), hours=8 + rng.randrange(13),
                                    minutes=rng.randrange(60), seconds=rng.randrange(60))
        clock = [0.0]
        messages: list[dict[str, Any]] = []

        def say(role: str, text: str, wait: float, messages=messages, clock=clock) -> None:
            clock[0] += wait
            messages.append({"role": role, "text": text, "offset": round(clock[0], 1)})

        complained = rng.random() < 0.25
        say("customer", rng.choice(asks) + ("，" + rng.choice(COMPLAINTS) if complained else ""), 0)
        slow = rng.random() > good + 0.15
        opening = rng.choice(GREETINGS) if rng.random() < good + 0.2 else "在的"
        if complained and rng.random() < good:
            opening += "，" + rng.choice(APOLOGIES)
        say("agent", opening, rng.uniform(60, 200) if slow else rng.uniform(5, 40))
        for _turn in range(rng.randrange(1, 4)):
            if rng.random() > good + 0.3:
                say("agent", rng.choice(FORBIDDEN), rng.uniform(10, 60))
                say("customer", rng.choice(COMPLAINTS), rng.uniform(10, 40))
            say("agent", rng.choice(answers), rng.uniform(120, 400) if slow and rng.random() < 0.5 else rng.uniform(8, 60))
            if rng.random() < 0.03:
                say("agent", f"您可以直接打我电话1{rng.randrange(3, 9)}{rng.randrange(10**8, 10**9)}", rng.uniform(5, 20))
            say("customer", rng.choice(CUSTOMER_OK), rng.uniform(10, 60))
        if rng.random() < good + 0.15:
            say("agent", rng.choice(CLOSINGS), rng.uniform(5, 30))
        csat = max(1, min(5, round(1 + 4 * good - (1.5 if complained else 0) + rng.uniform(-1, 1))))
        yield {
            "id": f"{id_prefix}-{index:07d}", "source": source, "channel": rng.choice(CHANNELS),
            "started_at": started.isoformat(), "agent": agent,
            "customer": {"id": f"cust-{rng.randrange(10**6):06d}"},
            "messages": messages,
            "labels": {"csat": csat, "tags": [tag], "resolved": rng.random() < 0.85},
        }
