"""Generate realistic Chinese customer-service chats in conversation-v1 JSON Lines, for benchmarks.

    python benchmarks/gen_conversations.py 100000 -o /tmp/convs.jsonl [--seed 1]

About 20 messages per conversation (customer and agent taking turns, sometimes a bot or several
messages in a row), times in seconds (``offset``), the usual mix of polite agents and the faults
the zh pack looks for (missing greeting, forbidden words, slow replies, personal data...), at rates
roughly like a real queue. Deterministic for a given seed."""

from __future__ import annotations

import argparse
import random
import sys

import orjson

ISSUES = [
    ("物流", ["我的快递三天了还没到", "物流信息一直没更新", "快递显示签收了但我没收到", "能不能催一下快递", "包裹是不是丢了"]),
    ("退款", ["我申请的退款什么时候到账？", "退款怎么还没到", "为什么退款被拒绝了", "我要退货退款", "退款进度能查一下吗"]),
    ("质量", ["收到的衣服有破洞", "手机屏幕有划痕", "商品和描述不一样", "用了两天就坏了", "颜色发错了"]),
    ("账号", ["我的账号登录不上", "验证码一直收不到", "会员怎么自动续费了", "积分怎么没了", "优惠券用不了"]),
    ("发票", ["怎么开发票", "发票抬头写错了能改吗", "电子发票在哪里下载", "能开专票吗", "发票什么时候寄出"]),
]
GREETINGS = ["您好，很高兴为您服务", "您好，请问有什么可以帮您？", "亲，您好，欢迎咨询", "您好，我是客服小美", "在的，您好"]
ASK_ORDER = ["请您提供一下订单号", "麻烦发一下订单编号，我帮您查询", "请问是哪个订单呢？", "您方便提供下单手机号后四位吗"]
CUSTOMER_FOLLOW = [
    "订单号是{order}", "好的", "嗯嗯", "那要等多久？", "能快点吗", "我已经等了很久了", "怎么这么慢",
    "可以，谢谢", "那我现在怎么办", "上次也是这样", "行吧", "好的，麻烦了", "你们到底能不能处理",
    "这个问题什么时候能解决？", "我很着急", "明天能到吗", "我不想要了", "能换一个吗",
]
AGENT_REPLY = [
    "已为您查询到订单信息，请稍等", "我这边帮您催促一下站点", "预计明天送达，请您留意电话", "退款已提交，预计1-3个工作日原路退回",
    "非常抱歉给您带来不便", "理解您的心情，我马上为您处理", "已经为您登记，会有专员联系您", "这边给您申请了补发",
    "请您耐心等待一下", "我帮您反馈给相关部门", "您可以在订单详情页申请售后", "已为您备注加急处理",
    "感谢您的耐心等待", "这边核实一下，请稍候", "您看这样处理可以吗？", "已经帮您修改好了",
]
FAULTS = [
    "这个我也不知道", "这是规定，没办法", "我保证明天一定能送达", "这个不归我们管，你找快递", "你自己去查一下",
    "已帮您改成13812345678", "您加我微信私下处理", "已经给您提了逆向单", "给您转接一下", "我已经说过了",
]
CLOSINGS = ["请问还有什么可以帮您？", "还有其他问题吗？", "感谢您的咨询，祝您生活愉快", "再见，祝您购物愉快", "有问题随时联系我们"]
CUSTOMER_END = ["没有了，谢谢", "好的谢谢", "行", "知道了", "太差劲了，我要投诉", "算了", "谢谢你"]
ANGRY = ["太垃圾了！！", "你们就是骗子", "我要投诉你们", "什么破服务", "气死我了", "再不处理我就去12315投诉"]


def conversation(rng: random.Random, number: int) -> dict:
    topic, questions = rng.choice(ISSUES)
    order = str(rng.randrange(10**15, 10**16))
    t = 0.0
    msgs: list[dict] = []

    def say(role: str, text: str, wait: tuple[float, float]) -> None:
        nonlocal t
        t += rng.uniform(*wait)
        msgs.append({"role": role, "text": text, "offset": round(t, 1)})

    say("customer", rng.choice(questions), (0, 0))
    if rng.random() < 0.3:
        say("bot", "您好，我是智能助手，正在为您转接人工客服", (1, 3))
    slow = rng.random() < 0.15
    if rng.random() < 0.9:
        say("agent", rng.choice(GREETINGS), (40, 120) if slow else (5, 25))
    say("agent", rng.choice(ASK_ORDER), (3, 15))
    target = max(8, int(rng.gauss(20, 5)))
    angry = rng.random() < 0.15
    while len(msgs) < target - 2:
        text = rng.choice(CUSTOMER_FOLLOW).format(order=order)
        if angry and rng.random() < 0.3:
            text = rng.choice(ANGRY)
        say("customer", text, (5, 40))
        if rng.random() < 0.25:
            say("customer", rng.choice(questions), (2, 10))
        reply = rng.choice(FAULTS) if rng.random() < 0.03 else rng.choice(AGENT_REPLY)
        say("agent", reply, (60, 200) if slow and rng.random() < 0.5 else (5, 45))
    if rng.random() < 0.85:
        say("agent", rng.choice(CLOSINGS), (5, 20))
    say("customer", rng.choice(CUSTOMER_END), (5, 30))
    if rng.random() < 0.7:
        say("agent", "感谢您的咨询，祝您生活愉快，再见", (3, 10))
    return {
        "id": f"gen-{number:08d}", "source": "benchmark", "channel": "chat",
        "agent": f"A{rng.randrange(1, 200):03d}", "messages": msgs,
        "labels": {"tags": [topic]} | ({"csat": rng.randint(1, 5)} if rng.random() < 0.4 else {}),
    }


def generate(count: int, seed: int = 1):
    rng = random.Random(seed)
    for number in range(count):
        yield conversation(rng, number)


def write(path: str, count: int, seed: int = 1) -> None:
    with open(path, "wb") as fh:
        for conv in generate(count, seed):
            fh.write(orjson.dumps(conv) + b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write(args.output, args.count, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
