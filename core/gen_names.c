/*
 * Data tables for the synthetic-data generator: names, places, illnesses,
 * needs. Plain data so that realism can be tuned without touching the generator code.
 */
#include "core/gen.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(a)                                                                                    \
    {                                                                                              \
        a, COUNT(a)                                                                                \
    }

/*
 * Surnames with their approximate share of the population per 100,000
 * people (rounded from published national frequency rankings). The table
 * covers about 85% of the population; rarer surnames are simply absent.
 * A few two-character surnames are kept at their real, small shares.
 */
const struct gen_weighted gen_surnames[] = {
    {"王", 7120}, {"李", 7000}, {"张", 6680}, {"刘", 5380}, {"陈", 4610}, {"杨", 3080},
    {"黄", 2230}, {"赵", 2140}, {"吴", 2000}, {"周", 1900}, {"徐", 1550}, {"孙", 1520},
    {"马", 1330}, {"朱", 1300}, {"胡", 1240}, {"郭", 1200}, {"何", 1180}, {"林", 1150},
    {"高", 1110}, {"罗", 1010}, {"郑", 970},  {"梁", 890},  {"谢", 820},  {"宋", 800},
    {"唐", 790},  {"许", 730},  {"韩", 710},  {"邓", 700},  {"冯", 690},  {"曹", 680},
    {"彭", 650},  {"曾", 630},  {"肖", 610},  {"田", 610},  {"董", 530},  {"潘", 510},
    {"袁", 510},  {"蔡", 500},  {"蒋", 490},  {"余", 490},  {"于", 480},  {"杜", 480},
    {"叶", 470},  {"程", 440},  {"魏", 430},  {"苏", 430},  {"吕", 420},  {"丁", 420},
    {"任", 410},  {"卢", 400},  {"姚", 400},  {"沈", 390},  {"钟", 380},  {"姜", 380},
    {"崔", 350},  {"谭", 340},  {"陆", 330},  {"范", 320},  {"汪", 320},  {"廖", 310},
    {"石", 310},  {"金", 310},  {"韦", 300},  {"贾", 300},  {"夏", 300},  {"付", 290},
    {"方", 290},  {"邹", 280},  {"熊", 280},  {"白", 280},  {"孟", 270},  {"秦", 270},
    {"邱", 270},  {"侯", 260},  {"江", 260},  {"尹", 250},  {"薛", 240},  {"闫", 240},
    {"段", 230},  {"雷", 230},  {"龙", 220},  {"黎", 220},  {"史", 220},  {"陶", 210},
    {"贺", 210},  {"毛", 200},  {"郝", 200},  {"顾", 200},  {"龚", 190},  {"邵", 190},
    {"万", 190},  {"覃", 180},  {"武", 180},  {"钱", 180},  {"戴", 170},  {"严", 170},
    {"莫", 170},  {"孔", 170},  {"向", 160},  {"常", 160},  {"汤", 160},  {"欧阳", 30},
    {"司马", 8},  {"诸葛", 6},  {"上官", 5},
};
const size_t gen_nsurnames = COUNT(gen_surnames);

/* ---- Given names, by sex and birth era -------------------------------------------------- */

/* Born before 1955: wishes for luck, wealth and virtue; many 秀/桂/玉 for girls. */
static const char *const m0_whole[] = {
    "建国", "国庆", "福贵", "德明", "长青", "树林", "国华", "志刚", "德胜", "永福",
    "满仓", "金山", "有才", "富贵", "春生", "长生", "荣华", "宝山", "文华", "振华",
    "保国", "玉山", "根生", "来福", "庆丰", "明德", "仁义", "正清", "桂林", "凤山",
};
static const char *const m0_first[] = {
    "国", "德", "福", "永", "长", "玉", "金", "树", "春", "志", "文", "振", "保",
    "根", "宝", "庆", "明", "万", "有", "忠", "光", "正", "荣", "清", "连",
};
static const char *const m0_second[] = {
    "才", "生", "林", "山", "华", "明", "福", "贵", "堂", "发", "顺", "祥", "清",
    "和", "义", "成", "田", "海", "全", "财", "仁", "安", "泉", "江", "喜",
};
static const char *const m0_single[] = {
    "福", "贵", "林", "山", "财", "顺", "发", "明", "祥", "成", "海", "忠",
};
static const char *const f0_whole[] = {
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "玉珍", "淑珍", "秀珍",
    "翠花", "桂芝", "玉梅", "素珍", "凤兰", "金花", "兰英", "玉英", "秀云",
    "桂珍", "淑英", "玉芳", "春花", "月英", "凤琴", "素英",
};
static const char *const f0_first[] = {
    "秀", "桂", "玉", "淑", "凤", "翠", "素", "金", "兰", "春", "月", "银", "彩", "香",
};
static const char *const f0_second[] = {
    "英", "兰", "珍", "花", "芝", "梅", "芳", "云", "琴",
    "莲", "荣", "香", "凤", "娥", "霞", "贞", "枝",
};
static const char *const f0_single[] = {
    "英", "兰", "珍", "芳", "梅", "莲", "娥", "香", "凤", "霞",
};

/* 1955-1974: the years' slogans (建国, 卫东, 红) and plain strong single names. */
static const char *const m1_whole[] = {
    "建华", "建军", "卫东", "卫国", "红军", "国强", "志强", "建平", "志勇", "建新",
    "立新", "爱国", "永红", "跃进", "解放", "海涛", "建明", "国平", "志明", "向东",
    "建伟", "学军", "振兴", "光明", "国栋", "宏伟", "新民", "国伟", "建设", "胜利",
};
static const char *const m1_first[] = {
    "建", "卫", "国", "志", "红", "立", "爱", "永", "向", "学",
    "新", "振", "宏", "跃", "胜", "海", "文", "军", "东", "光",
};
static const char *const m1_second[] = {
    "华", "军", "东", "国", "强", "平", "勇", "新", "明", "伟",
    "兵", "民", "生", "峰", "林", "杰", "忠", "斌", "刚", "辉",
};
static const char *const m1_single[] = {
    "军", "强", "勇", "伟", "平", "刚", "斌", "兵", "杰", "峰", "辉", "明", "涛", "东", "林", "波",
};
static const char *const f1_whole[] = {
    "秀梅", "丽华", "红梅", "玉梅", "春梅", "秀芳", "淑华", "丽萍", "红霞",
    "爱华", "美华", "小红", "凤霞", "海燕", "晓红", "丽君", "素芬", "爱玲",
    "春燕", "冬梅", "建英", "卫红", "秀红", "桂香", "玉华",
};
static const char *const f1_first[] = {
    "秀", "丽", "红", "春", "爱", "美", "小", "海", "晓", "冬", "素", "建", "卫", "淑", "桂", "玉",
};
static const char *const f1_second[] = {
    "梅", "华", "霞", "芳", "萍", "红", "燕", "玲", "英", "兰", "君", "芬", "琴", "珍", "云", "莉",
};
static const char *const f1_single[] = {
    "红", "梅", "霞", "萍", "芳", "燕", "玲", "英", "华", "丽", "娟", "敏", "琴", "静",
};

/* 1975-1994: single-character names peak; 伟, 磊, 丽, 娟 everywhere. */
static const char *const m2_whole[] = {
    "海涛", "志强", "永强", "俊杰", "文斌", "晓东", "振宇", "春雷", "海波", "伟东",
    "明辉", "志伟", "建波", "小龙", "亚军", "鹏飞", "文龙", "国栋", "永刚", "志军",
    "晓峰", "金龙", "家豪", "俊峰", "旭东", "宏亮", "子健", "建峰", "小军", "海军",
};
static const char *const m2_first[] = {
    "海", "志", "永", "俊", "文", "晓", "振", "春", "伟", "明",
    "建", "小", "亚", "鹏", "金", "家", "旭", "宏", "子",
};
static const char *const m2_second[] = {
    "涛", "强", "杰", "斌", "东", "宇", "雷", "波", "辉", "伟",
    "龙", "军", "峰", "飞", "亮", "健", "鹏", "超", "磊", "刚",
};
static const char *const m2_single[] = {
    "伟", "磊", "涛", "超", "勇", "杰", "鹏", "斌", "辉", "亮",
    "强", "军", "波", "峰", "飞", "健", "浩", "鑫", "刚", "勇",
};
static const char *const f2_whole[] = {
    "丽娟", "晓燕", "丽丽", "海燕", "艳红", "婷婷", "静静", "晓丽", "丽红",
    "雪梅", "秀丽", "春燕", "玉婷", "美玲", "丽萍", "小芳", "艳芳", "晓梅",
    "红艳", "丽娜", "倩倩", "莉莉", "金凤", "燕妮", "佳丽",
};
static const char *const f2_first[] = {
    "丽", "晓", "海", "艳", "雪", "秀", "春", "玉", "美", "小", "红", "佳", "金", "慧", "彩",
};
static const char *const f2_second[] = {
    "娟", "燕", "红", "梅", "婷", "萍", "芳", "玲", "娜",
    "霞", "敏", "静", "莉", "丽", "慧", "艳", "英", "琳",
};
static const char *const f2_single[] = {
    "丽", "娟", "敏", "静", "艳", "燕", "霞", "芳", "丹", "娜",
    "婷", "琳", "玲", "洁", "颖", "莉", "倩", "慧", "红", "萍",
};

/* From 1995: literary two-character names (子轩, 梓涵) dominate again. */
static const char *const m3_whole[] = {
    "子轩", "浩宇", "浩然", "宇轩", "梓睿", "一诺", "俊熙", "子豪", "浩轩", "宇航",
    "皓轩", "子墨", "梓轩", "铭轩", "博文", "睿泽", "嘉豪", "思远", "天佑", "俊宇",
    "明轩", "泽宇", "奕辰", "宇泽", "晨阳", "锦程", "家乐", "文博", "沐阳", "一鸣",
};
static const char *const m3_first[] = {
    "子", "浩", "宇", "梓", "俊", "皓", "铭", "博", "睿", "嘉", "思",
    "天", "明", "泽", "奕", "晨", "一", "锦", "家", "文", "沐",
};
static const char *const m3_second[] = {
    "轩", "宇", "然", "睿", "诺", "熙", "豪", "航", "墨", "文", "泽",
    "远", "佑", "辰", "阳", "杰", "涛", "鑫", "博", "凯", "瑞", "霖",
};
static const char *const m3_single[] = {
    "浩", "宇", "轩", "杰", "鑫", "博", "睿", "凯", "晨", "阳", "帅", "磊", "鹏", "航", "哲",
};
static const char *const f3_whole[] = {
    "梓涵", "欣怡", "诗涵", "一诺", "雨桐", "子涵", "可馨", "雨涵", "语嫣",
    "欣妍", "梦瑶", "思琪", "佳怡", "紫涵", "若曦", "心怡", "依诺", "雨欣",
    "诗琪", "梓萱", "语彤", "可欣", "芷若", "沐晴", "晨曦",
};
static const char *const f3_first[] = {
    "梓", "欣", "诗", "雨", "子", "可", "语", "梦", "思", "佳", "紫",
    "若", "心", "依", "芷", "沐", "晨", "一", "馨", "怡", "悦",
};
static const char *const f3_second[] = {
    "涵", "怡", "桐", "馨", "嫣", "妍", "瑶", "琪", "萱", "彤",
    "欣", "曦", "晴", "诺", "然", "悦", "冉", "淇", "瑾", "汐",
};
static const char *const f3_single[] = {
    "婷", "雪", "琳", "倩", "欣", "颖", "悦", "洁", "璐", "晶", "萱", "涵", "妍", "彤", "瑶",
};

#define POOL(w, f, s, one, pct)                                                                    \
    {                                                                                              \
        w, COUNT(w), f, COUNT(f), s, COUNT(s), one, COUNT(one), pct                                \
    }

const struct gen_name_pool gen_given_male[GEN_ERAS] = {
    POOL(m0_whole, m0_first, m0_second, m0_single, 10),
    POOL(m1_whole, m1_first, m1_second, m1_single, 25),
    POOL(m2_whole, m2_first, m2_second, m2_single, 30),
    POOL(m3_whole, m3_first, m3_second, m3_single, 12),
};
const struct gen_name_pool gen_given_female[GEN_ERAS] = {
    POOL(f0_whole, f0_first, f0_second, f0_single, 10),
    POOL(f1_whole, f1_first, f1_second, f1_single, 25),
    POOL(f2_whole, f2_first, f2_second, f2_single, 30),
    POOL(f3_whole, f3_first, f3_second, f3_single, 12),
};

/* Uyghur-style given names; a person's name is "given·father's given". */
static const char *const minority_male[] = {
    "艾力",   "买买提", "阿不都", "热合曼",   "艾买提", "吐尔洪", "努尔",
    "伊力",   "艾则孜", "肉孜",   "阿布都拉", "吐尔逊", "托合提", "尼亚孜",
    "司马义", "玉素甫", "亚森",   "卡德尔",   "麦麦提", "依明",
};
static const char *const minority_female[] = {
    "阿依古丽", "古丽",   "热依拉",   "帕提古丽", "迪丽",       "阿依努尔", "米热",     "再努尔",
    "古丽娜",   "阿依夏", "努尔古丽", "孜巴",     "热孜万古丽", "哈丽恰",   "米娜瓦尔",
};
const struct gen_list gen_minority_male = LIST(minority_male);
const struct gen_list gen_minority_female = LIST(minority_female);

/* ---- Places ------------------------------------------------------------------------------ */

/* Village names get "村" appended. */
static const char *const village_stems[] = {
    "东山",   "西河",   "南岗",   "北坡",   "柳树",   "杨庄",   "王家",   "李家",   "张庄",
    "石桥",   "清水",   "龙泉",   "白沙",   "黄土",   "红星",   "新华",   "前进",   "胜利",
    "永安",   "太平",   "长乐",   "桃园",   "杏花",   "梨树",   "枣林",   "槐树",   "松林",
    "竹园",   "荷塘",   "青山",   "马鞍",   "牛角",   "凤凰",   "卧龙",   "双河",   "三岔",
    "五里",   "七星",   "九龙",   "十里铺", "大坪",   "小湾",   "高岭",   "下营",   "上庄",
    "中和",   "石门",   "河口",   "沙坝",   "土桥",   "田坝",   "水井",   "岩头",   "坪上",
    "湾里",   "坳口",   "周家湾", "陈家坝", "刘家沟", "赵家岭", "孙家庄", "吴家坪", "郑家河",
    "何家寨", "罗家坡", "唐家湾", "许家冲", "冯家堡", "邓家岭", "曹家店", "彭家湾", "肖家山",
    "田家坝", "潘家坪", "蒋家沟", "杜家庄", "程家湾", "魏家岭", "苏家河", "丁家坡", "任家寨",
    "卢家湾", "姚家沟", "沈家坝", "花园",   "金星",   "光明",   "和平",   "团结",   "幸福",
    "丰收",   "红旗",   "向阳",   "东风",   "联合",   "民主",   "兴旺",   "富民",   "安宁",
    "塘坊",   "油坊",   "瓦窑",   "磨盘",   "柏树",   "茶园",   "桑园",
};
const struct gen_list gen_village_stems = LIST(village_stems);

/* Township names get "镇" or "乡" appended. */
static const char *const township_stems[] = {
    "城关", "河西", "新店", "双桥", "石门", "龙潭", "马场", "青林", "白马", "金鸡",
    "永宁", "黄泥", "清河", "柳林", "高桥", "杨柳", "安乐", "大河", "长岭", "三合",
    "兴隆", "太和", "福田", "仁和", "东关", "南湖", "北山", "平安", "观音", "花桥",
    "铁炉", "桂花", "水口", "官庄", "龙门", "石板", "云雾", "罗城", "凤鸣", "官渡",
};
const struct gen_list gen_township_stems = LIST(township_stems);

/* County names get "县" appended. */
static const char *const county_stems[] = {
    "安平", "永宁", "清河", "临川", "长丰", "宁远", "新田", "龙山", "石城", "桃源", "南漳", "宜川",
    "会宁", "通渭", "隆回", "安化", "镇雄", "威宁", "古蔺", "甘洛", "平江", "泾源", "西吉", "和政",
};
const struct gen_list gen_county_stems = LIST(county_stems);

/* Administrative-division codes of rural counties (first six ID-number digits). */
static const char *const region_codes[] = {
    "130521", "130731", "131123", "140723", "141127", "341522", "341623", "360730", "360733",
    "411523", "411721", "421127", "422823", "431225", "431228", "433130", "450332", "451228",
    "520526", "522728", "530627", "532531", "622421", "622927", "640522", "533323",
};
const struct gen_list gen_region_codes = LIST(region_codes);

static const char *const region_codes_minority[] = {
    "653121", "653122", "653129", "653221", "653223", "654324",
};
const struct gen_list gen_region_codes_minority = LIST(region_codes_minority);

static const char *const phone_prefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147",
    "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173",
    "175", "176", "177", "178", "180", "181", "182", "183", "184", "185", "186",
    "187", "188", "189", "191", "193", "195", "198", "199",
};
const struct gen_list gen_phone_prefixes = LIST(phone_prefixes);

static const char *const cn_numerals[] = {
    "一",   "二",   "三",   "四",   "五",   "六",   "七",   "八",   "九",   "十",
    "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
};
const struct gen_list gen_cn_numerals = LIST(cn_numerals);

/* ---- Health ------------------------------------------------------------------------------ */

static const char *const serious_illnesses[] = {
    "尿毒症",     "恶性肿瘤",   "脑卒中后遗症", "白血病",         "肝硬化",
    "慢性肾衰竭", "心脏瓣膜病", "帕金森病",     "系统性红斑狼疮", "重度再生障碍性贫血",
};
const struct gen_list gen_serious_illnesses = LIST(serious_illnesses);

static const char *const chronic_illnesses[] = {
    "高血压",       "糖尿病",   "慢性支气管炎", "类风湿性关节炎", "冠心病",
    "腰椎间盘突出", "慢性胃炎", "白内障",       "骨质疏松",       "慢性阻塞性肺病",
};
const struct gen_list gen_chronic_illnesses = LIST(chronic_illnesses);

/* ---- Needs (6 categories, 26 items) ------------------------------------------------------ */

#define E  GEN_FOR_ELDERLY
#define D  GEN_FOR_DISABLED
#define I  GEN_FOR_ILL
#define C  GEN_FOR_CHILD
#define H  GEN_FOR_HOUSING
#define W  GEN_FOR_WORKER
#define B  GEN_FOR_BEREAVED
#define AN GEN_FOR_ANY

const struct gen_need_item gen_need_items[] = {
    {"daily_care", "助餐", E, "村居家养老服务站"},
    {"daily_care", "助浴", E | D, "乡镇社工站"},
    {"daily_care", "助洁", E, "村居家养老服务站"},
    {"daily_care", "日常生活照料", E | D, "乡镇社工站"},
    {"daily_care", "代购生活用品", E, "村委会"},
    {"rehab", "轮椅", D | E, "县残联"},
    {"rehab", "康复训练", D, "县康复中心"},
    {"rehab", "助行器", E, "县残联"},
    {"rehab", "助听器", E | D, "县残联"},
    {"rehab", "护理床", D | I, "慈善总会"},
    {"hospital_escort", "送医陪护", I | E, "乡镇卫生院"},
    {"hospital_escort", "定期复诊陪同", I, "志愿者服务队"},
    {"hospital_escort", "代办慢病药品", I | E, "村卫生室"},
    {"social", "志愿者结对帮扶", C | E, "志愿者服务队"},
    {"social", "学业辅导", C, "团县委"},
    {"social", "社区活动参与", AN, "乡镇社工站"},
    {"social", "亲情陪伴", E | C, "村妇联"},
    {"counselling", "心理疏导", AN, "乡镇社工站"},
    {"counselling", "儿童心理关爱", C, "县心理咨询中心"},
    {"counselling", "哀伤辅导", B, "县心理咨询中心"},
    {"resources", "临时救助申请", AN, "县民政局"},
    {"resources", "医疗救助申请", I, "县医保局"},
    {"resources", "危房改造", H, "县住建局"},
    {"resources", "助学金申请", C, "县教育局"},
    {"resources", "就业岗位推荐", W, "县人社局"},
    {"resources", "残疾人两项补贴", D, "县残联"},
};
const size_t gen_nneed_items = COUNT(gen_need_items);

#undef E
#undef D
#undef I
#undef C
#undef H
#undef W
#undef B
#undef AN

static const char *const micro_wishes[] = {
    "一辆轮椅",     "一套学习用品", "一件冬衣",   "一床棉被",       "一台电暖器",
    "一副老花镜",   "一个新书包",   "一台助听器", "一袋米和一桶油", "一张全家福",
    "一套儿童读物", "一双保暖鞋",   "一台收音机", "一盏护眼台灯",   "一个电饭煲",
};
const struct gen_list gen_micro_wishes = LIST(micro_wishes);

/* ---- Free text ----------------------------------------------------------------------------- */

const struct gen_note gen_visit_notes[] = {
    {"老人身体状况稳定，生活基本能自理", GEN_FOR_ELDERLY},
    {"已宣传最新救助政策", GEN_FOR_ANY},
    {"已告知临时救助申请流程", GEN_FOR_ANY},
    {"孩子在校学习情况良好", GEN_FOR_CHILD},
    {"房屋有漏雨情况，已上报村委会", GEN_FOR_HOUSING},
    {"已核实家庭收入情况", GEN_FOR_ANY},
    {"家中卫生状况较好", GEN_FOR_ANY},
    {"慢病药品已按时领取", GEN_FOR_ILL},
    {"已协助办理医保报销", GEN_FOR_ILL},
    {"外出务工人员近期有返乡打算", GEN_FOR_AWAY},
    {"冬季取暖设施已检查", GEN_FOR_ELDERLY | GEN_FOR_HOUSING},
    {"已核对家庭成员信息", GEN_FOR_ANY},
    {"康复训练坚持较好，情绪稳定", GEN_FOR_DISABLED},
    {"已联系学校了解孩子近况", GEN_FOR_CHILD},
};
const size_t gen_nvisit_notes = COUNT(gen_visit_notes);

static const char *const absent_notes[] = {
    "家中无人，已电话联系",
    "家中无人，邻居称外出就医",
    "家中无人，约定下周再访",
};
const struct gen_list gen_absent_notes = LIST(absent_notes);

const struct gen_note gen_household_notes[] = {
    {"老人耳背，说话需大声", GEN_FOR_ELDERLY},
    {"进村道路狭窄，雨天难行", GEN_FOR_ANY},
    {"家中养狗，入户前先电话联系", GEN_FOR_ANY},
    {"家中劳力白天务农，傍晚才在家", GEN_FOR_WORKER},
    {"子女在外地务工，逢年过节回家", GEN_FOR_AWAY},
    {"房屋年久失修，需关注雨季安全", GEN_FOR_HOUSING},
};
const size_t gen_nhousehold_notes = COUNT(gen_household_notes);

static const char *const return_comments[] = {
    "请补充收入证明材料", "家庭成员信息不完整，请核实", "医疗费用需附票据",
    "请核实外出务工收入", "走访照片缺失，请补充",
};
const struct gen_list gen_return_comments = LIST(return_comments);
