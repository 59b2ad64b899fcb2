"""Chinese word lists. Chinese numerals are read by nlu.numbers.read_chinese."""

NUMBERS = {"两": 2, "俩": 2, "仨": 3, "一打": 12}
SCALES = {"千": 1000, "万": 10000, "k": 1000, "K": 1000, "百": 100}
NUMBER_JOINERS = set()
ONE_BEFORE_SCALE = set()

UNITS = {
    "个": ["个", "個"], "件": ["件"], "箱": ["箱", "纸箱"], "盒": ["盒"], "包": ["包"], "袋": ["袋"],
    "托": ["托", "托盘", "板"], "瓶": ["瓶"], "卷": ["卷"], "套": ["套"], "台": ["台"], "张": ["张"],
    "双": ["双"], "只": ["只"], "条": ["条"], "桶": ["桶"], "罐": ["罐"], "支": ["支"], "把": ["把"],
    "公斤": ["公斤", "千克", "kg"], "斤": ["斤"], "克": ["克"], "吨": ["吨"], "升": ["升"], "米": ["米"],
    "令": ["令"],
    "捆": ["捆", "扎"],
}

# the company's unit code for each unit above (docs/contracts/nlu.md): the same in every language
UNIT_CODES = {
    "捆": "bundle",
    "令": "ream",
    "个": "pcs", "件": "pcs", "箱": "box", "盒": "box", "包": "pack", "袋": "bag", "托": "pallet", "瓶": "bottle",
    "卷": "roll", "套": "set", "张": "sheet", "双": "pair", "桶": "drum", "罐": "can", "公斤": "kg", "克": "g",
    "吨": "t", "升": "l", "米": "m",
}
# counting words that are no unit of stock: they carry the quantity ("3台打印机") but give no unit
COUNT_WORDS = {"台", "只", "条", "支", "把"}

CURRENCIES = {
    "CNY": ["元", "块", "块钱", "人民币", "rmb", "cny", "¥", "￥"],
    "EUR": ["欧元", "eur", "€", "欧"],
    "USD": ["美元", "美金", "刀", "usd", "$"],
    "RUB": ["卢布", "rub"],
    "BGN": ["列弗", "bgn"],
    "RON": ["列伊", "ron"],
    "GBP": ["英镑", "gbp"],
}

STAGES = {
    "new": ["阶段：新", "阶段:新", "新建阶段", "阶段 新", "新阶段"],
    "qualified": ["确认预算", "预算确认", "合格", "已确认需求", "已验证", "qualified"],
    "proposal": ["报价", "方案", "提案", "发报价", "proposal"],
    "negotiation": ["谈判", "洽谈", "议价", "negotiation"],
    "won": ["赢单", "成交", "签约", "签了", "拿下", "赢了", "签合同", "won"],
    "lost": ["输单", "丢单", "丢了", "输了", "失败", "没成", "黄了", "飞单", "lost"],
}

CHANNELS = {
    "call": ["电话沟通", "电话联系", "通了电话", "打过电话", "打电话", "电话", "通话", "打了电话", "致电", "来电", "打给", "没人接", "电话里", "打来电话", "来电话", "回电", "回了电话", "回电话", "通电话", "没接", "没人接电话", "电话打不通", "打不通", "语音电话"],
    "meeting": ["去了", "上门", "拜访了", "见了面", "见面", "拜访", "开会", "会议", "见了", "面谈", "见过", "开了个会", "喝了咖啡", "喝咖啡", "吃了午饭", "吃饭", "顺路", "路过", "碰到", "来公司", "来了公司", "开了会", "开会了", "当面", "登门", "去了趟", "走访", "碰了个头", "碰头", "约见", "面聊", "拜访过", "见过面", "线下"],
    "email": ["邮件", "电邮", "发邮件", "email", "发了邮件", "回邮件", "邮箱", "回了邮件", "发了封邮件", "e-mail", "邮件里", "来邮件", "来信"],
    "sms": ["短信", "微信", "发信息", "发消息", "sms", "微信上", "发了微信", "发了消息", "微信回复", "whatsapp", "发短信", "发了短信", "短信里", "微信里", "企业微信", "钉钉", "留言", "发来信息", "发信息说"],
}
# words that do not say how the person was reached in the end ("wrote to", "no answer"): a later, plainer
# channel word wins ("wrote to them on viber", "no answer, texted him")
CHANNEL_VAGUE = ["没人接", "没接", "打不通", "电话打不通"]

TODAY = ["今天", "今日", "今晚", "今早"]
TOMORROW = ["明天", "明日", "明早", "明晚"]
AFTER_TOMORROW = ["后天"]
YESTERDAY = ["昨天"]
WEEKDAYS = [
    ["周一", "星期一", "礼拜一"], ["周二", "星期二", "礼拜二"], ["周三", "星期三", "礼拜三"], ["周四", "星期四", "礼拜四"],
    ["周五", "星期五", "礼拜五"], ["周六", "星期六", "礼拜六"], ["周日", "星期日", "星期天", "礼拜天", "周天"],
]
NEXT = ["下", "下个", "下一个"]
THIS = ["这", "本", "这个"]
NEXT_WEEK = ["下周", "下星期", "下礼拜"]
IN_N = []
AFTER_N = ["后", "以后", "之后"]
DAY_WORDS = ["天"]
WEEK_WORDS = ["周", "星期"]
HOUR_WORDS = ["小时", "个小时"]
AT_TIME = []
AM = ["上午", "早上", "早晨"]
PM = ["下午", "晚上", "傍晚"]
NOON = ["中午"]
MONTHS = []

ORDER_WORDS = ["订单", "单号", "订单号", "单子"]
CUSTOMER_WORDS = ["客户"]
SUPPLIER_WORDS = ["供应商"]
PRODUCT_WORDS = ["产品", "货品", "商品"]
FOR_WORDS = ["给"]
WITH_WORDS = ["和", "跟", "与"]
FROM_WORDS = ["从"]
TO_WORDS = ["到", "移到", "放到", "至"]
IN_WORDS = ["在"]
BIN_WORDS = ["库位", "货位", "区"]
OF_WORDS = ["的"]
REMIND_WORDS = ["提醒我", "提醒", "别忘了"]
LOST_BECAUSE = ["因为", "原因", "原因是"]
NOTE_WORDS = ["备注"]
STOP = set()
LEADING_DROP = set()
DEAL_WORDS = ["单子", "项目", "商机", "交易"]
STOCK_WORDS = ["多少", "还有多少", "库存", "有没有", "还剩"]
