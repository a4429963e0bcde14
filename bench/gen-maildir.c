/*
 * gen-maildir.c - a deterministic generator of realistic mail for kith's
 * benchmarks.
 *
 *   gen-maildir [-n N] [-s SEED] [--sent-fraction F] [--mbox FILE]
 *               [--one FILE] [DIR]
 *
 * Writes N messages (default 20,000) as a maildir DIR/{cur,new,tmp} with
 * the user's own sent mail in the Maildir++ folder DIR/.Sent; --mbox also
 * (or instead) writes them, in date order, as one mboxrd file; --one writes
 * a single ~5 KB personal message (for filter latency).
 *
 * The output depends only on the arguments: the generator has its own PRNG
 * (xoshiro256**, seeded by splitmix64), never reads the clock, and dates
 * run over the two years from 2023-01-01 UTC.
 *
 * What is in it: a few hundred invented correspondents (non-ASCII names
 * too) writing to and from "me@example.org"; threads with In-Reply-To and
 * References, quoted in Gmail, Outlook, Apple Mail and Thunderbird styles;
 * signatures; ~10% multipart/alternative with HTML; ~5% with 50-500 KB
 * base64 attachments of random bytes dressed as PDF or PNG; RFC 2047
 * headers (=?UTF-8?B?...?=, =?ISO-8859-1?Q?...?=); ISO-8859-1 and
 * windows-1252 bodies; mailing lists, newsletters, notifications,
 * auto-replies and a few bounces; and text with requests, introductions,
 * promises and thanks, which is what kith looks for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>
#include <glib/gstdio.h>

#define ME (-1)
#define START_TIME G_GINT64_CONSTANT(1672531200) /* 2023-01-01T00:00:00Z */
#define SPAN_DAYS 730
#define MAX_QUOTE 6000
#define POOL_MAX 400
#define THREAD_MAX_DEPTH 12

/* ---- PRNG ----------------------------------------------------------- */

typedef struct {
	uint64_t s[4];
} rng_t;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n). */
static guint rng_below(rng_t *r, guint n)
{
	return (guint)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static int rng_range(rng_t *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (guint)(hi - lo + 1));
}

static double rng_unit(rng_t *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static gboolean chance(rng_t *r, double p)
{
	return rng_unit(r) < p;
}

#define PICK(r, arr) ((arr)[rng_below((r), G_N_ELEMENTS(arr))])

/* ---- word lists ------------------------------------------------------- */

typedef struct {
	const char *disp;
	const char *ascii;
} name_t;

static const name_t FIRST[] = {
	{"Anna", "anna"}, {"Ben", "ben"}, {"Carla", "carla"}, {"David", "david"},
	{"Emma", "emma"}, {"Farid", "farid"}, {"Grace", "grace"},
	{"Hannah", "hannah"}, {"Ivan", "ivan"}, {"James", "james"},
	{"Kate", "kate"}, {"Liam", "liam"}, {"Maya", "maya"}, {"Noah", "noah"},
	{"Olivia", "olivia"}, {"Priya", "priya"}, {"Raj", "raj"},
	{"Sarah", "sarah"}, {"Tom", "tom"}, {"Uma", "uma"}, {"Victor", "victor"},
	{"Wei", "wei"}, {"Yusuf", "yusuf"}, {"Zara", "zara"},
	{"Daniel", "daniel"}, {"Laura", "laura"}, {"Michael", "michael"},
	{"Nina", "nina"}, {"Oscar", "oscar"}, {"Paul", "paul"},
	{"Rachel", "rachel"}, {"Sofia", "sofia"}, {"Thomas", "thomas"},
	{"Alice", "alice"}, {"Chris", "chris"}, {"Elena", "elena"},
	{"George", "george"}, {"Helen", "helen"}, {"Isaac", "isaac"},
	{"Julia", "julia"}, {"Kevin", "kevin"}, {"Leila", "leila"},
	{"Marcus", "marcus"}, {"Natalie", "natalie"}, {"Omar", "omar"},
	{"Peter", "peter"}, {"Rosa", "rosa"}, {"Simon", "simon"},
	{"Tara", "tara"}, {"Amir", "amir"},
	{"José", "jose"}, {"Zoë", "zoe"}, {"Łukasz", "lukasz"},
	{"Søren", "soren"}, {"François", "francois"}, {"Björn", "bjorn"},
	{"Małgorzata", "malgorzata"}, {"Ángel", "angel"}, {"Chloé", "chloe"},
	{"Renée", "renee"}, {"Jürgen", "juergen"}, {"Noémie", "noemie"},
	{"Mårten", "marten"}, {"Siobhán", "siobhan"}, {"Hélène", "helene"},
	{"Éric", "eric"}, {"Anaïs", "anais"}, {"Mónica", "monica"},
	{"Tomás", "tomas"}, {"Øystein", "oystein"}, {"Kübra", "kubra"},
	{"Jiří", "jiri"}, {"Şule", "sule"}, {"Ümit", "umit"},
};

static const name_t LAST[] = {
	{"Smith", "smith"}, {"Johnson", "johnson"}, {"Patel", "patel"},
	{"Chen", "chen"}, {"Kim", "kim"}, {"Garcia", "garcia"},
	{"Brown", "brown"}, {"Taylor", "taylor"}, {"Anderson", "anderson"},
	{"Okafor", "okafor"}, {"Haddad", "haddad"}, {"Singh", "singh"},
	{"Rossi", "rossi"}, {"Walsh", "walsh"}, {"Novak", "novak"},
	{"Fischer", "fischer"}, {"Larsen", "larsen"}, {"Ito", "ito"},
	{"Cohen", "cohen"}, {"Schwartz", "schwartz"}, {"Murphy", "murphy"},
	{"Bianchi", "bianchi"}, {"Mensah", "mensah"}, {"Reyes", "reyes"},
	{"Kowalski", "kowalski"}, {"Nakamura", "nakamura"},
	{"Duarte", "duarte"}, {"Lindqvist", "lindqvist"}, {"Hughes", "hughes"},
	{"O'Connor", "oconnor"},
	{"Müller", "mueller"}, {"Núñez", "nunez"}, {"Gonçalves", "goncalves"},
	{"Øvergaard", "overgaard"}, {"Šimková", "simkova"}, {"Çelik", "celik"},
	{"Yılmaz", "yilmaz"}, {"Dvořák", "dvorak"}, {"Lefèvre", "lefevre"},
	{"Sjöberg", "sjoberg"}, {"Wójcik", "wojcik"}, {"Pérez", "perez"},
	{"Jäger", "jaeger"}, {"Schröder", "schroeder"},
	{"Håkansson", "hakansson"}, {"Ferreira da Silva", "dasilva"},
};

typedef struct {
	const char *disp;
	const char *first;
	const char *local;
} whole_t;

/* Names not built from the lists above: other scripts, other orders. */
static const whole_t WHOLE[] = {
	{"田中 美咲", "美咲", "misaki.tanaka"},
	{"王伟", "伟", "wei.wang"},
	{"김민준", "민준", "minjun.kim"},
	{"Ирина Петрова", "Ирина", "irina.petrova"},
	{"Δημήτρης Παπαδόπουλος", "Δημήτρη", "dimitris.p"},
	{"יעל כהן", "יעל", "yael.cohen"},
	{"Nguyễn Thị Lan", "Lan", "lan.nguyen"},
	{"Ahmed Al-Farsi", "Ahmed", "ahmed.alfarsi"},
	{"Олег Смирнов", "Олег", "oleg.smirnov"},
	{"佐藤 健", "健", "ken.sato"},
	{"Dr. Ngozi Adeyemi", "Ngozi", "n.adeyemi"},
	{"María José Fernández", "María José", "mj.fernandez"},
};

typedef struct {
	const char *name;
	const char *domain;
	int tz; /* minutes east of UTC */
} company_t;

static const company_t COMPANY[] = {
	{"Northwind Analytics", "northwind.example", -300},
	{"Bluepeak Ventures", "bluepeak.example", -480},
	{"Kestrel Robotics", "kestrel-robotics.example", -480},
	{"Lumen Health", "lumenhealth.example", -300},
	{"Fjord Systems", "fjordsystems.example", 60},
	{"Atelier Numérique", "atelier-numerique.example", 60},
	{"Brightwater Capital", "brightwater.example", 0},
	{"Orbital Foods", "orbitalfoods.example", -360},
	{"Tessellate", "tessellate.example", 0},
	{"Quarry Labs", "quarrylabs.example", 120},
	{"Helios Energie", "helios-energie.example", 60},
	{"Sakura Mobility", "sakura-mobility.example", 540},
	{"Meridian University", "meridian.example.edu", -300},
	{"Copperleaf Design", "copperleaf.example", -240},
	{"Nordlicht GmbH", "nordlicht.example", 60},
	{"Pampas Data", "pampasdata.example", -180},
	{"Ganges Software", "ganges-software.example", 330},
	{"Vela Biotech", "velabio.example", 60},
	{"Harbor & Finch", "harborfinch.example", 0},
	{"Cedar Foundation", "cedarfoundation.example", -300},
	{"Zenith Logistics", "zenith-logistics.example", 480},
	{"Aurora Studio", "aurorastudio.example", 600},
	{"Mistral Cloud", "mistralcloud.example", 60},
	{"Baobab Fintech", "baobab.example", 60},
};

static const char *const FREEMAIL[] = {
	"mailbox.example", "inbox.example.com", "post.example.net",
	"webmail.example",
};

static const char *const TITLES[] = {
	"Head of Partnerships", "Senior Software Engineer", "Founder & CEO",
	"Product Manager", "Research Scientist", "Partner",
	"Director of Engineering", "Community Lead",
	"Professor of Computer Science", "Talent Partner", "CTO", "Designer",
	"Independent Consultant", "Chief of Staff", "VP Sales",
	"Data Scientist", "Program Officer", "Editor",
};

static const char *const TOPICS[] = {
	"the data pipeline", "pricing", "the Series A", "hiring a staff engineer",
	"the API redesign", "the board deck", "remote onboarding",
	"the grant application", "your conference talk", "product-market fit",
	"the Postgres migration", "your thesis", "the partnership",
	"next quarter's OKRs", "the accessibility audit", "the community meetup",
	"the pilot with the hospital", "our open-source release",
	"the mentoring programme", "the advisory board", "the rebrand",
	"the expansion to Lisbon", "the customer interviews", "the seed round",
};

static const char *const DOCS[] = {
	"slides", "draft contract", "budget spreadsheet", "one-pager",
	"case study", "reference letter", "term sheet", "proposal",
	"meeting notes", "roadmap", "résumé", "design doc", "invoice",
	"quarterly report", "pitch deck", "job description", "research summary",
	"intro blurb",
};

static const char *const EVENTS[] = {
	"the Data Summit", "Tuesday's meetup", "the offsite", "the alumni dinner",
	"the Lisbon conference", "the founders' breakfast", "the hackathon",
	"the workshop", "the panel", "the demo day", "the investor day",
	"the book launch", "the open-source sprint",
};

static const char *const CITIES[] = {
	"Berlin", "London", "New York", "San Francisco", "Lisbon", "Toronto",
	"München", "Zürich", "Kraków", "São Paulo", "Malmö", "Montréal",
	"Reykjavík", "Besançon", "Córdoba", "Tromsø", "Tokyo", "Bangalore",
	"Nairobi", "Austin",
};

static const char *const TEAMS[] = {
	"design", "platform", "partnerships", "research", "sales",
	"developer relations", "data", "policy", "growth", "infrastructure",
};

static const char *const TIMES[] = {
	"9:30", "10am", "11:15", "noon", "2pm", "3:30pm", "4pm", "5pm", "8:45",
};

static const char *const DAYS[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday",
};
static const char *const DAYS3[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const MONTHS[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};
static const char *const MONTHS3[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* ---- sentences -------------------------------------------------------- */

static const char *const S_REQUEST[] = {
	"Could you send me the {doc} when you get a chance?",
	"Could you send me the latest version of the {doc} before {day}?",
	"Would you be able to take a look at the {doc} and share your thoughts?",
	"Do you have 20 minutes next week to talk about {topic}?",
	"Can you let me know by {day} whether that works for you?",
	"Would you mind sharing your notes from {event}?",
	"Could you review the {doc} by {date}?",
	"Any chance you could send me the contact for the {team} lead at {company}?",
	"Can you confirm the numbers in the {doc} before I send it on?",
	"Would you be open to speaking on a panel about {topic} in {city}?",
	"Could you send over the {month} invoice when you have a moment?",
	"Please send me your availability for the week of {date}.",
	"Would you have time to give me feedback on {topic}?",
	"Could you send me a short bio and a headshot for the programme?",
	"Can you share the recording from {event}?",
	"If you could send me the {doc} by {day}, that would be ideal.",
};

static const char *const S_INTRO[] = {
	"Would you be able to introduce me to {name}?",
	"Would you be able to introduce me to {name} at {company}? I'd love to learn how they approached {topic}.",
	"I noticed you're connected with {name} - would you be comfortable making an intro?",
	"Do you know anyone on the {team} team at {company}? An introduction would mean a lot.",
	"Could you put me in touch with {name}? We're exploring {topic} and their experience would help a lot.",
	"If you know someone who has hired for {team} recently, I'd be grateful for an introduction.",
	"Would you mind connecting me with {first3}? I think we'd have a lot to talk about.",
};

static const char *const S_PROMISE[] = {
	"I'll send it by {day}.",
	"I'll send you the {doc} by {day}.",
	"I will get back to you by the end of next week.",
	"Let me check with {first3} and get back to you by {day}.",
	"I'll introduce you to {name} by email tomorrow.",
	"I'll have the {doc} ready before {date}.",
	"I'll follow up after {event}.",
	"I'll look over the {doc} this weekend and send comments.",
	"I'll put something on the calendar for {day}.",
	"I'll ask {name} and let you know.",
	"I'll share the recording once it's up.",
	"Will send the numbers over first thing {day} morning.",
	"I promise to get you an answer on {topic} by {date}.",
	"Let me dig up the {doc} and I'll forward it tonight.",
};

static const char *const S_THANKS[] = {
	"Thanks so much for the introduction to {name}!",
	"Thank you for sending the {doc} - it was really helpful.",
	"Really appreciated your time on {day}.",
	"Many thanks for your help with {topic}.",
	"Thanks for the quick reply.",
	"Thank you for thinking of me for this.",
	"Thanks again for dinner in {city}, it was lovely to see you.",
	"Huge thanks for the reference - I got the offer!",
	"Thanks for connecting us, {first3} and I already found a time to talk.",
};

static const char *const S_CATCHUP[] = {
	"It was great to catch up at {event}.",
	"Hope you're doing well and that things are calmer after the launch.",
	"Hope the move to {city} went smoothly.",
	"It's been too long since we last spoke!",
	"I've been heads-down on {topic} for the past few weeks.",
	"Hope the new role at {company} is treating you well.",
	"I was in {city} last week and thought of you.",
	"Things have been busy here since we closed the round.",
	"Congratulations on the new role at {company}!",
	"Congrats on the talk at {event}, I heard it went really well.",
	"Hope you had a good break.",
};

static const char *const S_SCHEDULE[] = {
	"How about {day} at {time}?",
	"I'm free {day} morning, or {day2} after {time}.",
	"Would {day} at {time} work for a quick call?",
	"Let's grab coffee when you're in {city} next.",
	"I can do a 30-minute call any time on {day}.",
	"Shall we meet at the café near the station on {day}?",
	"Does {date} at {time} suit you?",
	"Let's aim for lunch on {day2}, my treat.",
};

static const char *const S_FOLLOWUP[] = {
	"Just following up on my note from last week.",
	"Any update on the {doc}?",
	"Bumping this to the top of your inbox in case it got buried.",
	"Circling back on this - no rush, just want to keep it on your radar.",
	"Did you get a chance to look at the {doc}?",
};

static const char *const S_ACK[] = {
	"Sounds good.", "Perfect, see you then.", "Got it, thanks.",
	"That works for me.", "Great, thanks for letting me know.",
	"Makes sense.", "Yes, absolutely.", "No problem at all.", "Will do.",
	"Of course, happy to help.", "Great to hear from you.",
	"From my side, that works.",
};

static const char *const S_UPDATE[] = {
	"Quick update: we shipped the first version of {topic} on {day}.",
	"We're hiring for the {team} team, in case you know anyone.",
	"I'm starting a new role at {company} next month.",
	"We just published a case study on {topic}.",
	"The board approved the budget, so we can move ahead with {topic}.",
	"{name} joined us last week to lead {team}.",
};

static const char *const S_ARTICLE[] = {
	"Thought you'd find this interesting: https://blog.{domain}/posts/{n}-notes-on-hiring",
	"Saw this piece on {topic} and thought of you: https://news.{domain}/a/{n}",
	"Here's the link I mentioned: https://www.{domain}/talks/{n}",
};

static const char *const S_ATTACH[] = {
	"Please find the {doc} attached.",
	"Attached is the {doc} we discussed.",
	"I've attached the slides from {event}.",
	"See attached - let me know what you think.",
	"The signed copy is attached.",
};

static const char *const S_LIST[] = {
	"I pushed a fix for the parser regression to the stable branch.",
	"Has anyone seen the build fail on Debian with GCC 13?",
	"+1 to merging this before the {n} release.",
	"The meeting notes from {day} are on the wiki.",
	"Could someone review PR #{n}? It has been waiting a while.",
	"I'll take a look at the patch tonight.",
	"Thanks for the detailed write-up!",
	"Reminder: {event} is on {date}, please RSVP by {day}.",
	"Does anyone have a recommendation for a {team} consultant in {city}?",
	"We're hiring a {title} - happy to share details off-list.",
	"Would anyone be able to introduce me to someone working on {topic}?",
	"I can host the next meetup in {city} if people are interested.",
	"The slides from {event} are now online.",
	"Can we move the call to {day2}? I'll send an updated invite.",
	"I benchmarked both versions and the new one is about 30% faster.",
	"Please keep the discussion on the list so others can follow.",
};

static const char *const GREET[] = {
	"Hi {first},", "Hey {first},", "Hello {first},", "{first},", "Hi {first}!",
	"Dear {first},", "Good morning {first},", "Hi {first} -",
};

static const char *const CLOSE[] = {
	"Thanks,", "Best,", "Cheers,", "Best regards,", "Kind regards,",
	"All the best,", "Thanks again,", "Talk soon,", "Warmly,", "Regards,",
};

static const char *const SUBJ_NEW[] = {
	"Coffee next week?", "Quick question about {topic}",
	"The {doc}", "Following up from {event}", "Catching up",
	"Intro request", "Feedback on {topic}?", "Notes for {first}",
	"Café on {day}?", "Résumé for the {team} role", "Über-quick question",
	"Naïve question about {topic}", "Déjà vu: {topic} again", "Merci!",
	"Grüße aus {city}", "Speaking at {event}?", "{doc} for review",
	"Can we talk about {topic}?", "Thank you!", "Hello from {city}",
	"Next steps", "Checking in", "Your talk at {event}",
	"Advice on {topic}", "Reference for {first3}",
};

/* ---- people ----------------------------------------------------------- */

enum { CS_UTF8, CS_LATIN1, CS_CP1252 };
static const char *const CS_NAME[] = {"UTF-8", "ISO-8859-1", "windows-1252"};

enum { CL_GMAIL, CL_OUTLOOK, CL_APPLE, CL_TBIRD };

typedef struct {
	char *name;
	char *first;
	char *addr;
	char *domain;
	const char *company; /* NULL: independent */
	const char *title;
	char *phone;
	int tz;
	int client;
	int charset;
	gboolean raw_utf8_headers; /* writes UTF-8 in headers, unencoded */
	gboolean disclaimer;
	gboolean iphone;
	gboolean dmy;              /* writes dates as "14 March" */
} person;

static const person ME_PERSON = {
	.name = "Sam Rivera", .first = "Sam", .addr = "me@example.org",
	.domain = "example.org", .company = NULL, .title = "Consultant",
	.phone = "+1 555 0100", .tz = 60, .client = CL_TBIRD,
	.charset = CS_UTF8,
};

/* ---- threads ---------------------------------------------------------- */

typedef struct {
	char *subject;      /* base subject, UTF-8, without Re: */
	int other;          /* the correspondent */
	int cc;             /* a second correspondent, or -2 */
	int list;           /* list index, or -1 */
	GPtrArray *ids;     /* char*, without <> */
	char *last_body;    /* plain text of the last message */
	int last_from;      /* ME or a person */
	gint64 last_date;
	char *last_subject; /* as sent, UTF-8 */
	int depth;
} thread;

typedef struct {
	const char *name;   /* e.g. "proj-dev" */
	const char *desc;
	const char *id;     /* List-Id value, without <> */
	const char *addr;
	const char *host;
} mlist;

static const mlist LISTS[] = {
	{"frob-dev", "libfrob developers", "frob-dev.lists.libfrob.example.org",
		"frob-dev@lists.libfrob.example.org", "lists.libfrob.example.org"},
	{"alumni-2012", "Meridian class of 2012",
		"alumni-2012.lists.meridian.example.edu",
		"alumni-2012@lists.meridian.example.edu",
		"lists.meridian.example.edu"},
	{"founders", "Founders circle", "founders.groups.example.net",
		"founders@groups.example.net", "groups.example.net"},
	{"data-lisboa", "Data Meetup Lisboa", "data-lisboa.groups.example.net",
		"data-lisboa@groups.example.net", "groups.example.net"},
};

typedef struct {
	const char *name;
	const char *addr;
	const char *list_id;
	const char *host;
} sender_t;

static const sender_t NEWSLETTERS[] = {
	{"The Weekly Byte", "newsletter@weeklybyte.example",
		"weekly.weeklybyte.example", "weeklybyte.example"},
	{"Founders' Digest", "digest@foundersdigest.example",
		"digest.foundersdigest.example", "foundersdigest.example"},
	{"Café Société Events", "events@cafe-societe.example",
		"events.cafe-societe.example", "cafe-societe.example"},
	{"Meridian Alumni News", "news@alumni.meridian.example.edu",
		"news.alumni.meridian.example.edu", "alumni.meridian.example.edu"},
	{"Data & Society Briefing", "briefing@datasociety.example",
		"briefing.datasociety.example", "datasociety.example"},
	{"Grünwerk Newsletter", "info@gruenwerk.example",
		"newsletter.gruenwerk.example", "gruenwerk.example"},
};

/* ---- generator state ---------------------------------------------------- */

enum {
	K_PERSONAL, K_SENT, K_LIST, K_NEWSLETTER, K_NOTIFY, K_AUTOREPLY,
	K_BOUNCE, K_COUNT
};
static const char *const KIND_NAME[] = {
	"personal", "sent", "list", "newsletter", "notification", "auto-reply",
	"bounce",
};

typedef struct {
	rng_t r;
	rng_t names;         /* file names and flags only, so that the messages do
	                      * not depend on where they are written */
	person *people;
	guint n_people;
	guint n_corr;        /* people [0, n_corr) write to me; the rest only to lists */
	GPtrArray *threads;  /* personal */
	GPtrArray *lthreads; /* mailing lists */
	guint64 seq;
	double p_att, p_alt;
	/* the last message I sent, for auto-replies and bounces */
	char *last_sent_id;
	char *last_sent_subject;
	int last_sent_to;
	gint64 last_sent_date;
	/* stats */
	guint64 n_kind[K_COUNT];
	guint64 n_alt, n_html_only, n_att_msgs, n_att, n_latin, n_encoded;
	guint64 bytes;
} gen;

typedef struct {
	GString *hdr;     /* header lines, without the MIME ones */
	char *text;       /* plain body, UTF-8 */
	char *html;       /* HTML body, UTF-8, or NULL */
	gboolean html_only;
	int charset;
	int client;       /* CL_*, or -1 for bulk senders */
	guint n_att;
	gboolean flowed;
} draft;

/* ---- small helpers -------------------------------------------------------- */

static gboolean is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return FALSE;
	return TRUE;
}

static gboolean latin1_ok(const char *s)
{
	char *c = g_convert(s, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);
	gboolean ok = c != NULL;
	g_free(c);
	return ok;
}

static void rand_hex(rng_t *r, GString *out, int n, gboolean upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (int i = 0; i < n; i++)
		g_string_append_c(out, d[rng_below(r, 16)]);
}

static void rand_alnum(rng_t *r, GString *out, int n)
{
	static const char A[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	for (int i = 0; i < n; i++)
		g_string_append_c(out, A[rng_below(r, sizeof A - 1)]);
}

static void rand_b64(rng_t *r, GString *out, int n)
{
	static const char A[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (int i = 0; i < n; i++)
		g_string_append_c(out, A[rng_below(r, 64)]);
}

static void rand_uuid(rng_t *r, GString *out, gboolean upper)
{
	rand_hex(r, out, 8, upper);
	g_string_append_c(out, '-');
	rand_hex(r, out, 4, upper);
	g_string_append_c(out, '-');
	rand_hex(r, out, 4, upper);
	g_string_append_c(out, '-');
	rand_hex(r, out, 4, upper);
	g_string_append_c(out, '-');
	rand_hex(r, out, 12, upper);
}

/* Broken-down time at `t` seen from UTC offset `tz` minutes. */
static struct tm tm_at(gint64 t, int tz)
{
	time_t tt = (time_t)(t + tz * 60);
	struct tm tm;
	gmtime_r(&tt, &tm);
	return tm;
}

/* RFC 5322 date. */
static void put_date(GString *out, gint64 t, int tz)
{
	struct tm tm = tm_at(t, tz);
	int a = tz < 0 ? -tz : tz;
	g_string_append_printf(out, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
		DAYS3[tm.tm_wday], tm.tm_mday, MONTHS3[tm.tm_mon], tm.tm_year + 1900,
		tm.tm_hour, tm.tm_min, tm.tm_sec, tz < 0 ? '-' : '+', a / 60, a % 60);
}

static char *date_str(gint64 t, int tz)
{
	GString *s = g_string_new(NULL);
	put_date(s, t, tz);
	return g_string_free(s, FALSE);
}

/* Appends "Name: value\n", folding at spaces past 78 columns unless the value
 * is already folded. */
static void put_hdr(GString *out, const char *name, const char *value)
{
	gsize start = out->len;
	g_string_append_printf(out, "%s: ", name);
	if (strchr(value, '\n') || strlen(name) + 2 + strlen(value) <= 78) {
		g_string_append(out, value);
		g_string_append_c(out, '\n');
		return;
	}
	gsize col = out->len - start;
	const char *p = value;
	while (*p) {
		const char *sp = strchr(p, ' ');
		gsize wlen = sp ? (gsize)(sp - p) : strlen(p);
		if (col + wlen > 76 && col > strlen(name) + 2 && p != value) {
			/* replace the space just written with a fold */
			if (out->str[out->len - 1] == ' ')
				g_string_truncate(out, out->len - 1);
			g_string_append(out, "\n ");
			col = 1;
		}
		g_string_append_len(out, p, wlen);
		col += wlen;
		if (!sp)
			break;
		g_string_append_c(out, ' ');
		col++;
		p = sp + 1;
	}
	g_string_append_c(out, '\n');
}

/* ---- encodings ----------------------------------------------------------- */

static void qp_encode(GString *out, const char *s, gsize len)
{
	int col = 0;
	for (gsize i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n') {
			g_string_append_c(out, '\n');
			col = 0;
			continue;
		}
		gboolean eol = i + 1 == len || s[i + 1] == '\n';
		char buf[4];
		int w;
		if ((ch >= 33 && ch <= 126 && ch != '=') ||
		    ((ch == ' ' || ch == '\t') && !eol)) {
			buf[0] = (char)ch;
			w = 1;
		} else {
			snprintf(buf, sizeof buf, "=%02X", ch);
			w = 3;
		}
		if (col + w > 75) {
			g_string_append(out, "=\n");
			col = 0;
		}
		g_string_append_len(out, buf, w);
		col += w;
	}
	if (len && s[len - 1] != '\n')
		g_string_append_c(out, '\n');
}

static void b64_encode(GString *out, const guchar *s, gsize len)
{
	static const char A[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	gsize old = out->len;
	gsize need = (len + 2) / 3 * 4;
	need += need / 76 + 2;
	g_string_set_size(out, old + need);
	char *o = out->str + old;
	int col = 0;
	gsize i = 0;
	for (; i + 2 < len; i += 3) {
		guint32 v = (guint32)s[i] << 16 | (guint32)s[i + 1] << 8 | s[i + 2];
		*o++ = A[v >> 18];
		*o++ = A[(v >> 12) & 63];
		*o++ = A[(v >> 6) & 63];
		*o++ = A[v & 63];
		col += 4;
		if (col >= 76) {
			*o++ = '\n';
			col = 0;
		}
	}
	if (i < len) {
		guint32 v = (guint32)s[i] << 16;
		if (i + 1 < len)
			v |= (guint32)s[i + 1] << 8;
		*o++ = A[v >> 18];
		*o++ = A[(v >> 12) & 63];
		*o++ = i + 1 < len ? A[(v >> 6) & 63] : '=';
		*o++ = '=';
		col += 4;
	}
	if (col)
		*o++ = '\n';
	g_string_truncate(out, (gsize)(o - out->str));
}

/* RFC 2047 B words for UTF-8 text, each at most 75 characters, joined by
 * folding white space. */
static void ew_b(GString *out, const char *utf8)
{
	const char *p = utf8;
	gboolean first = TRUE;
	while (*p) {
		const char *q = p;
		while (*q) {
			const char *n = g_utf8_next_char(q);
			if (n - p > 45)
				break;
			q = n;
		}
		if (q == p)
			q = g_utf8_next_char(p);
		char *b = g_base64_encode((const guchar *)p, (gsize)(q - p));
		g_string_append_printf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\n ", b);
		g_free(b);
		first = FALSE;
		p = q;
	}
}

/* RFC 2047 Q words: `utf8` converted to `charset` (UTF-8 stays). */
static void ew_q(GString *out, const char *utf8, const char *charset)
{
	char *bytes = NULL;
	gsize len;
	if (g_ascii_strcasecmp(charset, "UTF-8") != 0)
		bytes = g_convert(utf8, -1, charset, "UTF-8", NULL, &len, NULL);
	if (!bytes) {
		bytes = g_strdup(utf8);
		len = strlen(utf8);
		charset = "UTF-8";
	}
	gsize budget = 75 - strlen(charset) - 7;
	gsize i = 0;
	gboolean first = TRUE;
	while (i < len) {
		GString *w = g_string_new(NULL);
		while (i < len) {
			/* one character: a UTF-8 sequence stays in one word */
			gsize clen = 1;
			if (!g_ascii_strcasecmp(charset, "UTF-8")) {
				unsigned char c = (unsigned char)bytes[i];
				clen = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			}
			GString *enc = g_string_new(NULL);
			for (gsize k = 0; k < clen && i + k < len; k++) {
				unsigned char c = (unsigned char)bytes[i + k];
				if (c == ' ')
					g_string_append_c(enc, '_');
				else if (g_ascii_isalnum(c) || strchr("!*+-/", c))
					g_string_append_c(enc, (char)c);
				else
					g_string_append_printf(enc, "=%02X", c);
			}
			if (w->len + enc->len > budget && w->len) {
				g_string_free(enc, TRUE);
				break;
			}
			g_string_append(w, enc->str);
			g_string_free(enc, TRUE);
			i += clen;
		}
		g_string_append_printf(out, "%s=?%s?Q?%s?=", first ? "" : "\n ",
			charset, w->str);
		g_string_free(w, TRUE);
		first = FALSE;
	}
	g_free(bytes);
}

/* Header text (a subject) as a sender's client would write it. */
static void put_text_hdr(gen *g, GString *out, const char *name,
	const char *utf8, const person *who)
{
	if (is_ascii(utf8) || (who && who->raw_utf8_headers)) {
		put_hdr(out, name, utf8);
		return;
	}
	g->n_encoded++;
	GString *v = g_string_new(NULL);
	int cs = who ? who->charset : CS_UTF8;
	if (cs != CS_UTF8)
		ew_q(v, utf8, CS_NAME[cs]);
	else if (who && (who->client == CL_APPLE || who->client == CL_TBIRD))
		ew_q(v, utf8, "utf-8");
	else
		ew_b(v, utf8);
	put_hdr(out, name, v->str);
	g_string_free(v, TRUE);
}

/* "Name <addr>" with the name quoted or encoded as needed. */
static void put_mailbox(GString *out, const char *name, const char *addr,
	const person *who)
{
	if (!name || !*name) {
		g_string_append(out, addr);
		return;
	}
	if (!is_ascii(name) && !(who && who->raw_utf8_headers)) {
		int cs = who ? who->charset : CS_UTF8;
		if (cs != CS_UTF8)
			ew_q(out, name, CS_NAME[cs]);
		else
			ew_b(out, name);
	} else if (strpbrk(name, ",.;:@()<>[]\"'")) {
		g_string_append_c(out, '"');
		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(out, '\\');
			g_string_append_c(out, *p);
		}
		g_string_append_c(out, '"');
	} else {
		g_string_append(out, name);
	}
	g_string_append_printf(out, " <%s>", addr);
}

static const person *who_is(gen *g, int idx)
{
	return idx == ME ? &ME_PERSON : &g->people[idx];
}

static void put_person_hdr(gen *g, GString *out, const char *hdr, int idx,
	const person *writer)
{
	const person *p = who_is(g, idx);
	GString *v = g_string_new(NULL);
	/* a writer encodes names in its own charset */
	person tmp = *p;
	if (writer) {
		tmp.charset = writer->charset;
		tmp.raw_utf8_headers = writer->raw_utf8_headers;
	}
	put_mailbox(v, p->name, p->addr, &tmp);
	if (!is_ascii(p->name) && !tmp.raw_utf8_headers)
		g->n_encoded++;
	put_hdr(out, hdr, v->str);
	g_string_free(v, TRUE);
}

/* ---- text ------------------------------------------------------------------- */

typedef struct {
	gen *g;
	const person *from;
	const person *to;   /* NULL: a group */
	gint64 t;
} ctx_t;

static void put_day_ahead(GString *out, ctx_t *c, int lo, int hi)
{
	struct tm tm = tm_at(c->t + (gint64)rng_range(&c->g->r, lo, hi) * 86400,
		c->from->tz);
	g_string_append(out, DAYS[tm.tm_wday]);
}

static void fill(GString *out, ctx_t *c, const char *tmpl)
{
	rng_t *r = &c->g->r;
	for (const char *p = tmpl; *p; p++) {
		if (*p != '{') {
			g_string_append_c(out, *p);
			continue;
		}
		const char *e = strchr(p, '}');
		if (!e) {
			g_string_append(out, p);
			return;
		}
		char key[16];
		gsize kl = MIN((gsize)(e - p - 1), sizeof key - 1);
		memcpy(key, p + 1, kl);
		key[kl] = '\0';
		p = e;
		const person *third = &c->g->people[rng_below(r, c->g->n_people)];
		if (!strcmp(key, "first"))
			g_string_append(out, c->to ? c->to->first : "all");
		else if (!strcmp(key, "name"))
			g_string_append(out, third->name);
		else if (!strcmp(key, "first3"))
			g_string_append(out, third->first);
		else if (!strcmp(key, "company"))
			g_string_append(out, PICK(r, COMPANY).name);
		else if (!strcmp(key, "domain"))
			g_string_append(out, PICK(r, COMPANY).domain);
		else if (!strcmp(key, "doc"))
			g_string_append(out, PICK(r, DOCS));
		else if (!strcmp(key, "topic"))
			g_string_append(out, PICK(r, TOPICS));
		else if (!strcmp(key, "event"))
			g_string_append(out, PICK(r, EVENTS));
		else if (!strcmp(key, "city"))
			g_string_append(out, PICK(r, CITIES));
		else if (!strcmp(key, "team"))
			g_string_append(out, PICK(r, TEAMS));
		else if (!strcmp(key, "title"))
			g_string_append(out, PICK(r, TITLES));
		else if (!strcmp(key, "time"))
			g_string_append(out, PICK(r, TIMES));
		else if (!strcmp(key, "day"))
			put_day_ahead(out, c, 1, 5);
		else if (!strcmp(key, "day2"))
			put_day_ahead(out, c, 6, 9);
		else if (!strcmp(key, "n"))
			g_string_append_printf(out, "%d", rng_range(r, 100, 4999));
		else if (!strcmp(key, "month")) {
			struct tm tm = tm_at(c->t, c->from->tz);
			g_string_append(out, MONTHS[tm.tm_mon]);
		} else if (!strcmp(key, "date")) {
			struct tm tm = tm_at(c->t + (gint64)rng_range(r, 3, 25) * 86400,
				c->from->tz);
			if (c->from->dmy)
				g_string_append_printf(out, "%d %s", tm.tm_mday,
					MONTHS[tm.tm_mon]);
			else
				g_string_append_printf(out, "%s %d", MONTHS[tm.tm_mon],
					tm.tm_mday);
		} else
			g_string_append_printf(out, "{%s}", key);
	}
}

static void sentence(GString *para, ctx_t *c, const char *const *list, gsize n)
{
	if (para->len && para->str[para->len - 1] != '\n')
		g_string_append_c(para, ' ');
	fill(para, c, list[rng_below(&c->g->r, (guint)n)]);
}
#define SENT(para, c, arr) sentence((para), (c), (arr), G_N_ELEMENTS(arr))

static void end_para(GString *body, GString *para)
{
	if (!para->len)
		return;
	if (body->len)
		g_string_append(body, "\n\n");
	g_string_append(body, para->str);
	g_string_truncate(para, 0);
}

/* Hard-wraps paragraphs at `width`; with `flowed`, soft breaks keep a
 * trailing space (RFC 3676). Quoted lines are left alone. */
static char *wrap(const char *text, int width, gboolean flowed)
{
	GString *out = g_string_new(NULL);
	gchar **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		if (i)
			g_string_append_c(out, '\n');
		if (l[0] == '>' || g_utf8_strlen(l, -1) <= width) {
			g_string_append(out, l);
			continue;
		}
		int col = 0;
		const char *p = l;
		while (*p) {
			const char *sp = strchr(p, ' ');
			gsize wl = sp ? (gsize)(sp - p) : strlen(p);
			int wc = (int)g_utf8_strlen(p, (gssize)wl);
			if (col && col + 1 + wc > width) {
				g_string_append(out, flowed ? " \n" : "\n");
				col = 0;
			} else if (col) {
				g_string_append_c(out, ' ');
				col++;
			}
			g_string_append_len(out, p, (gssize)wl);
			col += wc;
			if (!sp)
				break;
			p = sp + 1;
		}
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

/* Outlook and Apple Mail turn quotes and dashes typographic. */
static char *typographic(const char *s)
{
	GString *o = g_string_new(NULL);
	for (const char *p = s; *p; p++) {
		if (*p == '\'' && p > s && g_ascii_isalpha(p[-1]))
			g_string_append(o, "\xe2\x80\x99");
		else if (*p == '-' && p > s && p[-1] == ' ' && p[1] == ' ')
			g_string_append(o, "\xe2\x80\x93");
		else
			g_string_append_c(o, *p);
	}
	return g_string_free(o, FALSE);
}

static char *signature(gen *g, const person *p, gboolean reply)
{
	GString *s = g_string_new(NULL);
	rng_t *r = &g->r;
	if (p == &ME_PERSON) {
		g_string_append(s, "-- \nSam Rivera\nme@example.org | +1 555 0100");
		return g_string_free(s, FALSE);
	}
	if (p->iphone && chance(r, 0.5)) {
		g_string_append(s, "Sent from my iPhone");
		return g_string_free(s, FALSE);
	}
	if (reply && chance(r, 0.4))
		return g_string_free(s, FALSE);
	if (p->client == CL_OUTLOOK) {
		g_string_append_printf(s, "%s\n%s", p->name, p->title);
		if (p->company)
			g_string_append_printf(s, " | %s", p->company);
		g_string_append_printf(s, "\nM: %s\nhttps://www.%s", p->phone,
			p->domain);
		if (p->disclaimer)
			g_string_append_printf(s, "\n\nCONFIDENTIALITY NOTICE: This e-mail "
				"and any attachments are intended only for the named recipient(s) "
				"and may contain information that is privileged or confidential. "
				"If you have received this message in error, please notify the "
				"sender immediately and delete it from your system. Any "
				"unauthorised use, disclosure or copying is prohibited. %s "
				"accepts no liability for viruses transmitted by e-mail.",
				p->company ? p->company : p->name);
	} else {
		g_string_append_printf(s, "-- \n%s\n%s", p->name, p->title);
		if (p->company)
			g_string_append_printf(s, ", %s", p->company);
		g_string_append_printf(s, "\n%s", p->phone);
		if (chance(r, 0.5))
			g_string_append_printf(s, "\nhttps://www.%s", p->domain);
	}
	return g_string_free(s, FALSE);
}

typedef enum { INTENT_NEW, INTENT_REPLY, INTENT_FOLLOWUP } intent_t;

/* The part of a personal message its writer types. */
static char *personal_text(gen *g, ctx_t *c, intent_t intent, guint n_att)
{
	rng_t *r = &g->r;
	GString *body = g_string_new(NULL);
	GString *para = g_string_new(NULL);
	if (c->to && (intent != INTENT_REPLY || chance(r, 0.6)))
		fill(para, c, PICK(r, GREET));
	end_para(body, para);
	if (intent == INTENT_NEW) {
		if (chance(r, 0.6)) {
			SENT(para, c, S_CATCHUP);
			if (chance(r, 0.4))
				SENT(para, c, S_CATCHUP);
			end_para(body, para);
		}
		switch (rng_below(r, 6)) {
		case 0: case 1:
			SENT(para, c, S_REQUEST);
			break;
		case 2:
			SENT(para, c, S_INTRO);
			break;
		case 3:
			SENT(para, c, S_SCHEDULE);
			break;
		case 4:
			SENT(para, c, S_UPDATE);
			SENT(para, c, S_ARTICLE);
			break;
		default:
			SENT(para, c, S_THANKS);
			break;
		}
		if (chance(r, 0.25))
			SENT(para, c, S_REQUEST);
		else if (chance(r, 0.33))
			SENT(para, c, S_SCHEDULE);
		end_para(body, para);
		if (chance(r, 0.4)) {
			SENT(para, c, S_PROMISE);
			end_para(body, para);
		}
	} else if (intent == INTENT_FOLLOWUP) {
		SENT(para, c, S_FOLLOWUP);
		if (chance(r, 0.5))
			SENT(para, c, S_REQUEST);
		end_para(body, para);
	} else {
		if (chance(r, 0.6))
			SENT(para, c, S_ACK);
		else
			SENT(para, c, S_THANKS);
		if (chance(r, 0.5))
			SENT(para, c, S_PROMISE);
		end_para(body, para);
		if (chance(r, 0.3))
			SENT(para, c, S_REQUEST);
		if (chance(r, 0.2))
			SENT(para, c, S_SCHEDULE);
		if (chance(r, 0.1))
			SENT(para, c, S_INTRO);
		end_para(body, para);
	}
	if (n_att) {
		SENT(para, c, S_ATTACH);
		end_para(body, para);
	}
	char *sig = signature(g, c->from, intent == INTENT_REPLY);
	if (c->from->client != CL_OUTLOOK || !*sig || c->from == &ME_PERSON)
		g_string_append_printf(body, "\n\n%s\n%s", PICK(r, CLOSE),
			c->from->first);
	else
		g_string_append_printf(body, "\n\n%s", PICK(r, CLOSE));
	if (*sig)
		g_string_append_printf(body, "\n\n%s", sig);
	g_free(sig);
	g_string_free(para, TRUE);
	if (c->from->client == CL_OUTLOOK || c->from->client == CL_APPLE) {
		if (c->from->charset != CS_LATIN1) {
			char *t = typographic(body->str);
			g_string_free(body, TRUE);
			return t;
		}
	}
	return g_string_free(body, FALSE);
}

/* Cuts `s` to about MAX_QUOTE bytes at a line end. */
static char *clip(const char *s)
{
	gsize len = strlen(s);
	if (len > MAX_QUOTE) {
		const char *cut = s + MAX_QUOTE;
		while (cut > s && *cut != '\n')
			cut--;
		len = (gsize)(cut - s);
	}
	while (len && s[len - 1] == '\n')
		len--;
	return g_strndup(s, len);
}

static void quote_lines(GString *out, const char *text)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		if (!lines[i][0])
			g_string_append(out, ">\n");
		else if (lines[i][0] == '>')
			g_string_append_printf(out, ">%s\n", lines[i]);
		else
			g_string_append_printf(out, "> %s\n", lines[i]);
	}
	g_strfreev(lines);
}

static void html_escape(GString *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		default: g_string_append_c(out, *s);
		}
	}
}

/* Plain text as a client's HTML: one block per line. */
static void html_lines(GString *out, const char *text, int client)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		if (client == CL_OUTLOOK) {
			g_string_append(out, "<p class=\"MsoNormal\">");
			if (*l)
				html_escape(out, l);
			else
				g_string_append(out, "<o:p>&nbsp;</o:p>");
			g_string_append(out, "</p>\n");
		} else {
			g_string_append(out, "<div>");
			if (*l)
				html_escape(out, l);
			else
				g_string_append(out, "<br>");
			g_string_append(out, "</div>");
			if (client != CL_GMAIL)
				g_string_append_c(out, '\n');
		}
	}
	g_strfreev(lines);
}

typedef struct {
	const person *prev_from;
	const person *replier;
	gint64 prev_date;
	const char *prev_subject;
	const char *prev_to_name;
	const char *prev_to_addr;
	const char *prev_body;
	gboolean bottom;
} quote_t;

/* The attribution line (Outlook: the header block). */
static char *attribution(const quote_t *q, int client)
{
	struct tm tm = tm_at(q->prev_date, q->replier->tz);
	int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
	const char *ampm = tm.tm_hour < 12 ? "AM" : "PM";
	switch (client) {
	case CL_GMAIL:
		return g_strdup_printf("On %s, %s %d, %d at %d:%02d %s %s <%s> wrote:",
			DAYS3[tm.tm_wday], MONTHS3[tm.tm_mon], tm.tm_mday,
			tm.tm_year + 1900, h12, tm.tm_min, ampm, q->prev_from->name,
			q->prev_from->addr);
	case CL_OUTLOOK:
		return g_strdup_printf("From: %s <%s>\nSent: %s, %s %d, %d %d:%02d %s\n"
			"To: %s <%s>\nSubject: %s", q->prev_from->name, q->prev_from->addr,
			DAYS[tm.tm_wday], MONTHS[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
			h12, tm.tm_min, ampm, q->prev_to_name, q->prev_to_addr,
			q->prev_subject);
	case CL_APPLE:
		return g_strdup_printf("On %d %s %d, at %02d:%02d, %s <%s> wrote:",
			tm.tm_mday, MONTHS3[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
			tm.tm_min, q->prev_from->name, q->prev_from->addr);
	default:
		return g_strdup_printf("On %02d/%02d/%d %02d:%02d, %s wrote:",
			tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
			tm.tm_min, q->prev_from->name);
	}
}

static char *quoted_text(const char *new_text, const quote_t *q, int client)
{
	GString *o = g_string_new(NULL);
	char *attr = attribution(q, client);
	char *prev = clip(q->prev_body);
	if (client == CL_OUTLOOK) {
		g_string_append_printf(o, "%s\n\n________________________________\n%s\n\n%s\n",
			new_text, attr, prev);
	} else if (client == CL_APPLE) {
		g_string_append_printf(o, "%s\n\n", new_text);
		GString *blk = g_string_new(NULL);
		g_string_append_printf(blk, "%s\n\n%s", attr, prev);
		quote_lines(o, blk->str);
		g_string_free(blk, TRUE);
	} else if (q->bottom) {
		g_string_append_printf(o, "%s\n", attr);
		quote_lines(o, prev);
		g_string_append_printf(o, "\n%s\n", new_text);
	} else {
		g_string_append_printf(o, "%s\n\n%s\n", new_text, attr);
		quote_lines(o, prev);
	}
	g_free(attr);
	g_free(prev);
	return g_string_free(o, FALSE);
}

static char *personal_html(const char *new_text, const quote_t *q, int client,
	const char *charset)
{
	GString *h = g_string_new(NULL);
	char *attr = q ? attribution(q, client) : NULL;
	char *prev = q ? clip(q->prev_body) : NULL;
	if (client == CL_OUTLOOK) {
		g_string_append_printf(h,
			"<html xmlns:v=\"urn:schemas-microsoft-com:vml\" "
			"xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
			"xmlns:w=\"urn:schemas-microsoft-com:office:word\" "
			"xmlns:m=\"http://schemas.microsoft.com/office/2004/12/omml\" "
			"xmlns=\"http://www.w3.org/TR/REC-html40\">\n<head>\n"
			"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=%s\">\n"
			"<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\n"
			"<style><!--\n@font-face\n\t{font-family:\"Cambria Math\";\n\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\n"
			"@font-face\n\t{font-family:Calibri;\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\n"
			"p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n"
			"\tfont-family:\"Calibri\",sans-serif;}\na:link, span.MsoHyperlink\n"
			"\t{mso-style-priority:99;\n\tcolor:#0563C1;\n\ttext-decoration:underline;}\n"
			"span.EmailStyle19\n\t{mso-style-type:personal-reply;\n"
			"\tfont-family:\"Calibri\",sans-serif;\n\tcolor:windowtext;}\n"
			".MsoChpDefault\n\t{mso-style-type:export-only;\n\tfont-size:10.0pt;}\n"
			"@page WordSection1\n\t{size:612.0pt 792.0pt;\n\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\n"
			"div.WordSection1\n\t{page:WordSection1;}\n--></style>\n</head>\n"
			"<body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\" style=\"word-wrap:break-word\">\n"
			"<div class=\"WordSection1\">\n", charset);
		html_lines(h, new_text, client);
		if (q) {
			g_string_append(h, "<div style=\"border:none;border-top:solid #E1E1E1 1.0pt;"
				"padding:3.0pt 0cm 0cm 0cm\">\n<p class=\"MsoNormal\"><b>");
			gchar **al = g_strsplit(attr, "\n", -1);
			for (int i = 0; al[i]; i++) {
				const char *colon = strchr(al[i], ':');
				if (i)
					g_string_append(h, "<br>\n<b>");
				if (colon) {
					g_string_append_len(h, al[i], colon - al[i] + 1);
					g_string_append(h, "</b>");
					html_escape(h, colon + 1);
				}
			}
			g_strfreev(al);
			g_string_append(h, "<o:p></o:p></p>\n</div>\n");
			html_lines(h, prev, client);
		}
		g_string_append(h, "</div>\n</body>\n</html>\n");
	} else if (client == CL_GMAIL) {
		g_string_append(h, "<div dir=\"ltr\">");
		html_lines(h, new_text, client);
		g_string_append(h, "</div>");
		if (q) {
			g_string_append(h, "<br><div class=\"gmail_quote\"><div dir=\"ltr\" "
				"class=\"gmail_attr\">");
			html_escape(h, attr);
			g_string_append(h, "<br></div><blockquote class=\"gmail_quote\" "
				"style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid "
				"rgb(204,204,204);padding-left:1ex\">");
			html_lines(h, prev, client);
			g_string_append(h, "</blockquote></div>");
		}
		g_string_append_c(h, '\n');
	} else {
		g_string_append_printf(h, "<html><head><meta http-equiv=\"content-type\" "
			"content=\"text/html; charset=%s\"></head><body style=\"overflow-wrap: "
			"break-word; -webkit-nbsp-mode: space; line-break: after-white-space;\">\n",
			charset);
		html_lines(h, new_text, client);
		if (q) {
			g_string_append(h, "<div><br><blockquote type=\"cite\"><div>");
			html_escape(h, attr);
			g_string_append(h, "</div><br>\n");
			html_lines(h, prev, client);
			g_string_append(h, "</blockquote></div>");
		}
		g_string_append(h, "</body></html>\n");
	}
	g_free(attr);
	g_free(prev);
	return g_string_free(h, FALSE);
}

/* ---- MIME rendering ----------------------------------------------------- */

enum { CTE_AUTO, CTE_QP, CTE_B64 };

static char *boundary(gen *g, int client, int n)
{
	GString *b = g_string_new(NULL);
	switch (client) {
	case CL_GMAIL:
		g_string_append(b, "000000000000");
		rand_hex(&g->r, b, 12, FALSE);
		break;
	case CL_OUTLOOK:
		g_string_append_printf(b, "_%03d_", n);
		rand_alnum(&g->r, b, 24);
		g_string_append(b, "prod_");
		break;
	case CL_APPLE:
		g_string_append(b, "Apple-Mail=_");
		rand_uuid(&g->r, b, TRUE);
		break;
	default:
		g_string_append(b, "------------");
		rand_alnum(&g->r, b, 24);
	}
	return g_string_free(b, FALSE);
}

/* A text leaf: headers, blank line, encoded body. */
static void put_text_part(GString *out, const char *subtype, const char *utf8,
	int cs_pref, int cte_pref, gboolean flowed, gboolean *non_utf8)
{
	const char *charset = CS_NAME[CS_UTF8];
	char *bytes = NULL;
	gsize len = 0;
	if (cs_pref != CS_UTF8) {
		bytes = g_convert(utf8, -1, CS_NAME[cs_pref], "UTF-8", NULL, &len, NULL);
		if (bytes) {
			charset = CS_NAME[cs_pref];
			if (non_utf8)
				*non_utf8 = TRUE;
		}
	}
	if (!bytes) {
		bytes = g_strdup(utf8);
		len = strlen(utf8);
	}
	gboolean ascii = TRUE;
	int linelen = 0, maxline = 0;
	for (gsize i = 0; i < len; i++) {
		if ((unsigned char)bytes[i] >= 0x80)
			ascii = FALSE;
		if (bytes[i] == '\n')
			linelen = 0;
		else if (++linelen > maxline)
			maxline = linelen;
	}
	const char *cte;
	if (cte_pref == CTE_B64 && !ascii)
		cte = "base64";
	else if (cte_pref == CTE_QP || maxline > 900)
		cte = "quoted-printable";
	else
		cte = ascii ? "7bit" : "8bit";
	g_string_append_printf(out, "Content-Type: text/%s; charset=\"%s\"%s\n"
		"Content-Transfer-Encoding: %s\n\n", subtype, charset,
		flowed ? "; format=flowed" : "", cte);
	if (!strcmp(cte, "base64"))
		b64_encode(out, (const guchar *)bytes, len);
	else if (!strcmp(cte, "quoted-printable"))
		qp_encode(out, bytes, len);
	else {
		g_string_append_len(out, bytes, (gssize)len);
		if (len && bytes[len - 1] != '\n')
			g_string_append_c(out, '\n');
	}
	g_free(bytes);
}

static const char *const ATT_PDF[] = {
	"Proposal_v2.pdf", "Q3 report.pdf", "term-sheet-draft.pdf",
	"Lebenslauf_Müller.pdf", "invoice-2024-017.pdf", "slides.pdf",
	"Contrat_signé.pdf", "case-study.pdf", "reference-letter.pdf",
	"budget overview.pdf",
};
static const char *const ATT_PNG[] = {
	"screenshot.png", "IMG_2041.png", "diagram.png", "Bildschirmfoto 2024-03-05.png",
	"org-chart.png", "mockup-v3.png", "whiteboard.png",
};

static void put_attachment(gen *g, GString *out, int client)
{
	rng_t *r = &g->r;
	gboolean pdf = chance(r, 0.6);
	const char *fname = pdf ? PICK(r, ATT_PDF) : PICK(r, ATT_PNG);
	const char *type = pdf ? "application/pdf" : "image/png";
	gsize size = (gsize)rng_range(r, 50 * 1024, 500 * 1024);
	guchar *buf = g_malloc(size + 8);
	for (gsize i = 0; i < size; i += 8) {
		uint64_t v = rng_next(r);
		memcpy(buf + i, &v, 8);
	}
	if (pdf) {
		static const char head[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
			"<< /Type /Catalog /Pages 2 0 R >>\nendobj\n4 0 obj\n"
			"<< /Length 80342 /Filter /FlateDecode >>\nstream\n";
		static const char tail[] = "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
		memcpy(buf, head, sizeof head - 1);
		memcpy(buf + size - (sizeof tail - 1), tail, sizeof tail - 1);
	} else {
		static const guchar head[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x05\0\0\0\x02\xd0\x08\x06\0\0\0";
		static const guchar tail[] = "\0\0\0\0IEND\xae\x42\x60\x82";
		memcpy(buf, head, sizeof head - 1);
		memcpy(buf + size - (sizeof tail - 1), tail, sizeof tail - 1);
	}
	GString *fn = g_string_new(NULL);
	GString *disp = g_string_new(NULL);
	if (is_ascii(fname)) {
		g_string_printf(fn, "\"%s\"", fname);
		g_string_printf(disp, "filename=\"%s\"", fname);
	} else {
		/* Outlook and Gmail: RFC 2047 in the name; RFC 2231 in the
		 * disposition */
		g_string_append_c(fn, '"');
		ew_b(fn, fname);
		g_string_append_c(fn, '"');
		g_string_append(disp, "filename*=UTF-8''");
		for (const char *p = fname; *p; p++) {
			unsigned char c = (unsigned char)*p;
			if (g_ascii_isalnum(c) || strchr("-._~", c))
				g_string_append_c(disp, (char)c);
			else
				g_string_append_printf(disp, "%%%02X", c);
		}
	}
	g_string_append_printf(out, "Content-Type: %s; name=%s\n"
		"Content-Disposition: attachment;\n\t%s; size=%zu\n", type, fn->str,
		disp->str, size);
	if (client == CL_GMAIL) {
		GString *id = g_string_new(NULL);
		rand_alnum(r, id, 12);
		g_string_append_printf(out, "Content-ID: <f_%s>\nX-Attachment-Id: f_%s\n",
			id->str, id->str);
		g_string_free(id, TRUE);
	}
	g_string_append(out, "Content-Transfer-Encoding: base64\n\n");
	b64_encode(out, buf, size);
	g_string_free(fn, TRUE);
	g_string_free(disp, TRUE);
	g_free(buf);
	g->n_att++;
}

static int cte_for(gen *g, int client, gboolean html)
{
	switch (client) {
	case CL_GMAIL:
		return chance(&g->r, 0.4) ? CTE_B64 : CTE_QP;
	case CL_OUTLOOK:
	case CL_APPLE:
		return CTE_QP;
	case CL_TBIRD:
		return html ? CTE_QP : CTE_AUTO;
	default:
		return CTE_QP;
	}
}

/* The body (single part, alternative, mixed) after the draft's headers. */
static void render(gen *g, const draft *d, GString *out)
{
	g_string_append(out, d->hdr->str);
	gboolean latin = FALSE;
	char *mixed = NULL, *alt = NULL;
	if (d->n_att) {
		mixed = boundary(g, d->client, 0);
		g_string_append_printf(out, "Content-Type: multipart/mixed;\n\tboundary=\"%s\"\n\n",
			mixed);
		if (d->client == CL_OUTLOOK || d->client < 0)
			g_string_append(out, "This is a multi-part message in MIME format.\n\n");
		g_string_append_printf(out, "--%s\n", mixed);
		g->n_att_msgs++;
	}
	if (d->html && !d->html_only) {
		alt = boundary(g, d->client, 1);
		g_string_append_printf(out, "Content-Type: multipart/alternative;\n\tboundary=\"%s\"\n\n",
			alt);
		g_string_append_printf(out, "--%s\n", alt);
		put_text_part(out, "plain", d->text, d->charset,
			cte_for(g, d->client, FALSE), FALSE, &latin);
		g_string_append_printf(out, "--%s\n", alt);
		put_text_part(out, "html", d->html, d->charset,
			cte_for(g, d->client, TRUE), FALSE, &latin);
		g_string_append_printf(out, "--%s--\n", alt);
		g->n_alt++;
	} else if (d->html) {
		put_text_part(out, "html", d->html, d->charset,
			cte_for(g, d->client, TRUE), FALSE, &latin);
		g->n_html_only++;
	} else {
		put_text_part(out, "plain", d->text, d->charset,
			cte_for(g, d->client, FALSE), d->flowed, &latin);
	}
	if (mixed) {
		for (guint i = 0; i < d->n_att; i++) {
			g_string_append_printf(out, "--%s\n", mixed);
			put_attachment(g, out, d->client);
		}
		g_string_append_printf(out, "--%s--\n", mixed);
	}
	if (latin)
		g->n_latin++;
	g_free(mixed);
	g_free(alt);
}

/* ---- header blocks ------------------------------------------------------ */

static char *new_msgid(gen *g, const person *p, int client)
{
	GString *s = g_string_new(NULL);
	rng_t *r = &g->r;
	g->seq++;
	switch (client) {
	case CL_GMAIL:
		g_string_append(s, "CA");
		rand_b64(r, s, 2);
		for (gsize i = 2; i < s->len; i++)
			if (s->str[i] == '/')
				s->str[i] = '_';
		rand_alnum(r, s, 40);
		g_string_append_printf(s, "@mail.%s", p->domain);
		break;
	case CL_OUTLOOK: {
		int a = rng_range(r, 1, 9), b = rng_range(r, 1000, 9999);
		g_string_append_printf(s, "AM%dPR%02dMB%d", a, rng_range(r, 1, 99), b);
		rand_alnum(r, s, 24);
		g_string_append_printf(s, "@AM%dPR%02dMB%d.eurprd%02d.prod.outlook.%s", a,
			rng_range(r, 1, 99), b, rng_range(r, 1, 9), p->domain);
		break;
	}
	case CL_APPLE:
		rand_uuid(r, s, TRUE);
		g_string_append_printf(s, "@%s", p->domain);
		break;
	case CL_TBIRD:
		rand_uuid(r, s, FALSE);
		g_string_append_printf(s, "@%s", p->domain);
		break;
	default:
		g_string_append_printf(s, "%" G_GUINT64_FORMAT ".", g->seq);
		rand_hex(r, s, 16, FALSE);
		g_string_append_printf(s, "@%s", p->domain);
	}
	return g_string_free(s, FALSE);
}

static const char *const CLIENT_UA[] = {
	NULL,
	"Microsoft Outlook 16.0",
	"Apple Mail (2.3731.700.6)",
	"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0",
};

/* Trace and authentication headers of mail received at example.org. */
static void put_trace(gen *g, GString *out, const char *from_addr,
	const char *domain, gint64 t)
{
	rng_t *r = &g->r;
	GString *v = g_string_new(NULL);
	gint64 arrive = t + rng_range(r, 2, 90);
	char *d = date_str(arrive, 0);
	g_string_printf(v, "<%s>", from_addr);
	put_hdr(out, "Return-Path", v->str);
	put_hdr(out, "Delivered-To", "me@example.org");
	g_string_printf(v, "from mx1.example.org\n\tby mail.example.org with LMTP\n\tid ");
	rand_alnum(r, v, 22);
	g_string_append_printf(v, "\n\t(envelope-from <%s>)\n\tfor <me@example.org>; %s",
		from_addr, d);
	put_hdr(out, "Received", v->str);
	int oct = rng_range(r, 2, 250);
	g_string_printf(v, "from mail-%c%c%d.%s (mail-%d.%s [203.0.113.%d])\n"
		"\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
		"\t key-exchange X25519 server-signature RSA-PSS (2048 bits))\n"
		"\t(No client certificate requested)\n\tby mx1.example.org (Postfix) with ESMTPS id ",
		'a' + rng_below(r, 26), 'a' + rng_below(r, 26), oct, domain, oct, domain, oct);
	rand_alnum(r, v, 12);
	g_string_append_printf(v, "\n\tfor <me@example.org>; %s", d);
	put_hdr(out, "Received", v->str);
	g_string_printf(v, "mx1.example.org;\n\tdkim=pass (2048-bit key) header.d=%s "
		"header.i=@%s header.b=", domain, domain);
	rand_b64(r, v, 8);
	g_string_append_printf(v, ";\n\tspf=pass (mx1.example.org: domain of %s "
		"designates 203.0.113.%d as permitted sender) smtp.mailfrom=%s;\n"
		"\tdmarc=pass (p=none dis=none) header.from=%s", from_addr, oct, domain,
		domain);
	put_hdr(out, "Authentication-Results", v->str);
	g_string_printf(v, "v=1; a=rsa-sha256; c=relaxed/relaxed;\n\td=%s; s=s%d; "
		"t=%" G_GINT64_FORMAT ";\n\th=from:to:subject:date:message-id:references:"
		"in-reply-to:mime-version:content-type;\n\tbh=", domain,
		rng_range(r, 2019, 2024), t);
	rand_b64(r, v, 43);
	g_string_append(v, "=;\n\tb=");
	for (int i = 0; i < 5; i++) {
		rand_b64(r, v, 68);
		g_string_append(v, "\n\t ");
	}
	rand_b64(r, v, 4);
	g_string_append(v, "==");
	put_hdr(out, "DKIM-Signature", v->str);
	g_free(d);
	g_string_free(v, TRUE);
}

static void put_refs(GString *out, GPtrArray *ids)
{
	if (!ids || !ids->len)
		return;
	g_string_append_printf(out, "In-Reply-To: <%s>\n",
		(const char *)ids->pdata[ids->len - 1]);
	GString *v = g_string_new(NULL);
	guint from = ids->len > 12 ? ids->len - 11 : 1;
	g_string_append_printf(v, "<%s>", (const char *)ids->pdata[0]);
	for (guint i = from; i < ids->len; i++)
		g_string_append_printf(v, "\n <%s>", (const char *)ids->pdata[i]);
	put_hdr(out, "References", v->str);
	g_string_free(v, TRUE);
}

/* ---- threads -------------------------------------------------------------- */

static void thread_free(gpointer p)
{
	thread *th = p;
	g_free(th->subject);
	g_free(th->last_body);
	g_free(th->last_subject);
	g_ptr_array_free(th->ids, TRUE);
	g_free(th);
}

static thread *thread_new(GPtrArray *pool, const char *subject)
{
	thread *th = g_new0(thread, 1);
	th->subject = g_strdup(subject);
	th->ids = g_ptr_array_new_with_free_func(g_free);
	th->cc = -2;
	th->list = -1;
	if (pool) {
		g_ptr_array_add(pool, th);
		if (pool->len > POOL_MAX)
			g_ptr_array_remove_index(pool, 0);
	}
	return th;
}

/* A recent thread whose last message is (or is not) mine. */
static thread *pick_thread(gen *g, GPtrArray *pool, int want_mine, int list)
{
	thread *cand[80];
	guint k = 0;
	guint lo = pool->len > 80 ? pool->len - 80 : 0;
	for (guint i = lo; i < pool->len; i++) {
		thread *th = pool->pdata[i];
		if (list >= 0 && th->list != list)
			continue;
		if (want_mine == 1 && th->last_from != ME)
			continue;
		if (want_mine == 0 && th->last_from == ME)
			continue;
		cand[k++] = th;
	}
	if (!k)
		return NULL;
	double u = rng_unit(&g->r);
	return cand[k - 1 - (guint)(k * u * u)];
}

/* Records a message in `th` (taking `id`, `body`, `subject`).  Returns
 * FALSE when the thread retired and was freed. */
static gboolean thread_advance(GPtrArray *pool, thread *th, char *id, int from,
	gint64 t, char *body, char *subject)
{
	g_ptr_array_add(th->ids, id);
	g_free(th->last_body);
	th->last_body = body;
	g_free(th->last_subject);
	th->last_subject = subject;
	th->last_from = from;
	th->last_date = t;
	th->depth++;
	if (!pool)
		return TRUE;
	/* move to the end without freeing */
	for (guint i = 0; i < pool->len; i++) {
		if (pool->pdata[i] == th) {
			memmove(pool->pdata + i, pool->pdata + i + 1,
				(pool->len - i - 1) * sizeof(gpointer));
			pool->pdata[pool->len - 1] = th;
			break;
		}
	}
	if (th->depth >= THREAD_MAX_DEPTH) {
		g_ptr_array_remove(pool, th); /* frees it */
		return FALSE;
	}
	return TRUE;
}

/* ---- message kinds -------------------------------------------------------- */

static void draft_init(draft *d)
{
	memset(d, 0, sizeof *d);
	d->hdr = g_string_new(NULL);
}

static void draft_clear(draft *d)
{
	g_string_free(d->hdr, TRUE);
	g_free(d->text);
	g_free(d->html);
}

static int pick_correspondent(gen *g)
{
	/* a few close contacts get most of the mail */
	double u = rng_unit(&g->r);
	return (int)(g->n_corr * u * u * u);
}

static const char *reply_prefix(gen *g, const person *p)
{
	if (p->client == CL_OUTLOOK)
		return p->tz == 60 && chance(&g->r, 0.3) ? "AW: " : "RE: ";
	return "Re: ";
}

/*
 * A personal message from `from` to `to` (ME or people), new or in `th`.
 * `extras`: may carry HTML and attachments.  Renders into *out and
 * returns the thread (new ones are added to the pool).
 */
static thread *personal(gen *g, GPtrArray *pool, thread *th, int from, int to,
	gint64 t, gboolean extras, GString *out)
{
	rng_t *r = &g->r;
	const person *pf = who_is(g, from), *pt = who_is(g, to);
	int other = from == ME ? to : from;
	int client = pf->client;
	draft d;
	draft_init(&d);
	d.client = client;
	d.charset = pf->charset;
	d.n_att = extras && chance(r, g->p_att) ?
		(chance(r, 0.7) ? 1 : chance(r, 0.8) ? 2 : 3) : 0;
	gboolean want_html = extras && chance(r, g->p_alt);
	intent_t intent = INTENT_NEW;
	char *subject;
	thread *pth = th;
	if (th && th->last_from == from)
		intent = INTENT_FOLLOWUP;
	else if (th)
		intent = INTENT_REPLY;
	ctx_t c = {g, pf, pt, t};
	if (!th) {
		GString *s = g_string_new(NULL);
		ctx_t sc = c;
		fill(s, &sc, PICK(r, SUBJ_NEW));
		subject = g_string_free(s, FALSE);
		th = thread_new(pool, subject);
		th->other = other;
		if (chance(r, 0.1))
			th->cc = pick_correspondent(g);
		if (th->cc == other)
			th->cc = -2;
	} else if (intent == INTENT_FOLLOWUP) {
		subject = g_strdup(th->last_subject);
	} else if (g_str_has_prefix(th->last_subject, "Re: ") ||
	    g_str_has_prefix(th->last_subject, "RE: ") ||
	    g_str_has_prefix(th->last_subject, "AW: ")) {
		subject = g_strdup(th->last_subject);
	} else {
		subject = g_strconcat(reply_prefix(g, pf), th->last_subject, NULL);
	}
	char *newtext = personal_text(g, &c, intent, d.n_att);
	quote_t q = {0};
	gboolean has_q = pth && th->last_body;
	if (has_q) {
		int pfrom = th->last_from;
		const person *pp = who_is(g, pfrom);
		const person *pto = pfrom == ME ? who_is(g, th->other) : &ME_PERSON;
		q.prev_from = pp;
		q.replier = pf;
		q.prev_date = th->last_date;
		q.prev_subject = th->last_subject;
		q.prev_to_name = pto->name;
		q.prev_to_addr = pto->addr;
		q.prev_body = th->last_body;
		q.bottom = client == CL_TBIRD && from != ME && chance(r, 0.5);
	}
	char *full = has_q ? quoted_text(newtext, &q, client) : g_strdup(newtext);
	if (client == CL_TBIRD) {
		d.text = wrap(full, 72, TRUE);
		d.flowed = TRUE;
		g_free(full);
	} else {
		d.text = full;
	}
	if (want_html) {
		const char *cs = CS_NAME[d.charset];
		d.html = personal_html(newtext, has_q ? &q : NULL, client, cs);
	}
	g_free(newtext);

	/* headers */
	GString *h = d.hdr;
	if (from != ME)
		put_trace(g, h, pf->addr, pf->domain, t);
	char *id = new_msgid(g, pf, from == ME ? CL_TBIRD : client);
	if (client == CL_GMAIL) {
		put_hdr(h, "MIME-Version", "1.0");
		put_refs(h, th->ids);
		put_person_hdr(g, h, "From", from, pf);
		char *ds = date_str(t, pf->tz);
		put_hdr(h, "Date", ds);
		g_free(ds);
		g_string_append_printf(h, "Message-ID: <%s>\n", id);
		put_text_hdr(g, h, "Subject", subject, pf);
		put_person_hdr(g, h, "To", to, pf);
		if (th->cc >= 0)
			put_person_hdr(g, h, "Cc", th->cc, pf);
	} else {
		put_person_hdr(g, h, "From", from, pf);
		put_person_hdr(g, h, "To", to, pf);
		if (th->cc >= 0)
			put_person_hdr(g, h, "Cc", th->cc, pf);
		put_text_hdr(g, h, "Subject", subject, pf);
		if (client == CL_OUTLOOK) {
			put_text_hdr(g, h, "Thread-Topic", th->subject, pf);
			GString *ti = g_string_new(NULL);
			rand_b64(r, ti, 32);
			for (int i = 0; i < th->depth; i++)
				rand_b64(r, ti, 8);
			put_hdr(h, "Thread-Index", ti->str);
			g_string_free(ti, TRUE);
		}
		char *ds = date_str(t, pf->tz);
		put_hdr(h, "Date", ds);
		g_free(ds);
		g_string_append_printf(h, "Message-ID: <%s>\n", id);
		put_refs(h, th->ids);
		if (client == CL_OUTLOOK)
			put_hdr(h, "Content-Language", "en-US");
		if (CLIENT_UA[client])
			put_hdr(h, client == CL_TBIRD ? "User-Agent" : "X-Mailer",
				CLIENT_UA[client]);
		put_hdr(h, "MIME-Version", "1.0");
	}
	render(g, &d, out);
	if (from == ME) {
		g_free(g->last_sent_id);
		g_free(g->last_sent_subject);
		g->last_sent_id = g_strdup(id);
		g->last_sent_subject = g_strdup(subject);
		g->last_sent_to = to;
		g->last_sent_date = t;
	}
	if (!thread_advance(pool, th, id, from, t, g_strdup(d.text), subject))
		th = NULL;
	draft_clear(&d);
	return th;
}

/* Me introducing two correspondents. */
static void intro(gen *g, int a, int b, gint64 t, GString *out)
{
	rng_t *r = &g->r;
	const person *pa = &g->people[a], *pb = &g->people[b];
	draft d;
	draft_init(&d);
	d.client = CL_TBIRD;
	d.charset = CS_UTF8;
	d.flowed = TRUE;
	ctx_t c = {g, &ME_PERSON, pa, t};
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "Hi %s and %s,\n\nAs promised, connecting you two. "
		"%s is %s%s%s and has been thinking a lot about ", pa->first, pb->first,
		pa->first, pa->title, pa->company ? " at " : "", pa->company ? pa->company : "");
	fill(s, &c, "{topic}. ");
	g_string_append_printf(s, "%s is %s%s%s; you both care about ", pb->first,
		pb->title, pb->company ? " at " : "", pb->company ? pb->company : "");
	fill(s, &c, "{topic}, and I think you'd enjoy comparing notes.\n\n");
	g_string_append(s, "I'll let you take it from here. ");
	fill(s, &c, "Maybe a coffee in {city} or a call on {day}?\n\nBest,\nSam\n\n");
	char *sig = signature(g, &ME_PERSON, FALSE);
	g_string_append(s, sig);
	g_free(sig);
	d.text = wrap(s->str, 72, TRUE);
	g_string_free(s, TRUE);
	char *subject = g_strdup_printf("Intro: %s <> %s", pa->first, pb->first);
	char *id = new_msgid(g, &ME_PERSON, CL_TBIRD);
	put_person_hdr(g, d.hdr, "From", ME, NULL);
	GString *to = g_string_new(NULL);
	put_mailbox(to, pa->name, pa->addr, NULL);
	g_string_append(to, ", ");
	put_mailbox(to, pb->name, pb->addr, NULL);
	put_hdr(d.hdr, "To", to->str);
	g_string_free(to, TRUE);
	put_text_hdr(g, d.hdr, "Subject", subject, &ME_PERSON);
	char *ds = date_str(t, ME_PERSON.tz);
	put_hdr(d.hdr, "Date", ds);
	g_free(ds);
	g_string_append_printf(d.hdr, "Message-ID: <%s>\n", id);
	put_hdr(d.hdr, "User-Agent", CLIENT_UA[CL_TBIRD]);
	put_hdr(d.hdr, "MIME-Version", "1.0");
	render(g, &d, out);
	thread *th = thread_new(g->threads, subject);
	th->other = a;
	th->cc = b;
	thread_advance(g->threads, th, id, ME, t, g_strdup(d.text), subject);
	(void)r;
	draft_clear(&d);
}

static void list_message(gen *g, gint64 t, GString *out)
{
	rng_t *r = &g->r;
	int li = (int)rng_below(r, G_N_ELEMENTS(LISTS));
	const mlist *l = &LISTS[li];
	thread *th = chance(r, 0.6) ? pick_thread(g, g->lthreads, -1, li) : NULL;
	int from;
	do {
		from = chance(r, 0.7) ?
			(int)(g->n_corr + rng_below(r, g->n_people - g->n_corr)) :
			pick_correspondent(g);
	} while (th && th->last_from == from);
	const person *pf = &g->people[from];
	draft d;
	draft_init(&d);
	d.client = pf->client == CL_OUTLOOK ? CL_TBIRD : pf->client;
	d.charset = pf->charset;
	ctx_t c = {g, pf, NULL, t};
	GString *body = g_string_new(NULL);
	GString *para = g_string_new(NULL);
	char *subject;
	if (!th) {
		GString *s = g_string_new(NULL);
		fill(s, &c, PICK(r, S_LIST));
		if (s->len > 60)
			g_string_truncate(s, (gsize)(g_utf8_offset_to_pointer(s->str, 50) - s->str));
		subject = g_strdup_printf("[%s] %s", l->name, s->str);
		g_string_free(s, TRUE);
		th = thread_new(g->lthreads, subject);
		th->list = li;
		if (chance(r, 0.5))
			g_string_append(para, "Hi all,");
		end_para(body, para);
	} else {
		subject = g_str_has_prefix(th->last_subject, "Re: ") ?
			g_strdup(th->last_subject) :
			g_strconcat("Re: ", th->last_subject, NULL);
		/* bottom-posted, trimmed quote */
		struct tm tm = tm_at(th->last_date, pf->tz);
		const person *pp = &g->people[th->last_from];
		g_string_append_printf(body, "On %s, %d %s %d, %s wrote:\n", DAYS3[tm.tm_wday],
			tm.tm_mday, MONTHS3[tm.tm_mon], tm.tm_year + 1900, pp->name);
		gchar **lines = g_strsplit(th->last_body, "\n", 12);
		GString *qb = g_string_new(NULL);
		for (int i = 0; lines[i] && i < 10; i++) {
			if (g_str_has_prefix(lines[i], "-- ") ||
			    g_str_has_prefix(lines[i], "_____"))
				break;
			g_string_append_printf(qb, "%s\n", lines[i]);
		}
		g_strfreev(lines);
		if (qb->len)
			g_string_truncate(qb, qb->len - 1);
		quote_lines(body, qb->str);
		g_string_free(qb, TRUE);
		g_string_truncate(body, body->len - 1);
	}
	int ns = rng_range(r, 1, 4);
	for (int i = 0; i < ns; i++)
		SENT(para, &c, S_LIST);
	if (chance(r, 0.15)) {
		end_para(body, para);
		g_string_append(para, "    $ make check\n    ...\n    FAIL: test_dates (exit 1)\n"
			"    1 of 212 tests failed");
	}
	end_para(body, para);
	g_string_append_printf(body, "\n\n%s\n%s", PICK(r, CLOSE), pf->first);
	if (chance(r, 0.5)) {
		char *sig = signature(g, pf, FALSE);
		if (*sig)
			g_string_append_printf(body, "\n\n%s", sig);
		g_free(sig);
	}
	g_string_append_printf(body, "\n_______________________________________________\n"
		"%s mailing list\n%s\nhttps://%s/mailman/listinfo/%s\n", l->name, l->addr,
		l->host, l->name);
	d.text = wrap(body->str, 72, FALSE);
	g_string_free(body, TRUE);
	g_string_free(para, TRUE);

	GString *h = d.hdr;
	GString *v = g_string_new(NULL);
	put_trace(g, h, l->addr, l->host, t);
	char *id = new_msgid(g, pf, d.client);
	put_person_hdr(g, h, "From", from, pf);
	put_hdr(h, "To", l->addr);
	put_text_hdr(g, h, "Subject", subject, pf);
	char *ds = date_str(t, pf->tz);
	put_hdr(h, "Date", ds);
	g_free(ds);
	g_string_append_printf(h, "Message-ID: <%s>\n", id);
	put_refs(h, th->ids);
	put_hdr(h, "MIME-Version", "1.0");
	g_string_printf(v, "%s <%s>", l->desc, l->id);
	put_hdr(h, "List-Id", v->str);
	g_string_printf(v, "<https://%s/mailman/options/%s>,\n <mailto:%s-request@%s?subject=unsubscribe>",
		l->host, l->name, l->name, l->host);
	put_hdr(h, "List-Unsubscribe", v->str);
	g_string_printf(v, "<https://%s/pipermail/%s/>", l->host, l->name);
	put_hdr(h, "List-Archive", v->str);
	g_string_printf(v, "<mailto:%s>", l->addr);
	put_hdr(h, "List-Post", v->str);
	g_string_printf(v, "<mailto:%s-request@%s?subject=help>", l->name, l->host);
	put_hdr(h, "List-Help", v->str);
	put_hdr(h, "Precedence", "list");
	put_hdr(h, "X-BeenThere", l->addr);
	put_hdr(h, "X-Mailman-Version", "2.1.39");
	g_string_printf(v, "\"%s\" <%s-bounces@%s>", l->name, l->name, l->host);
	put_hdr(h, "Sender", v->str);
	g_string_free(v, TRUE);
	render(g, &d, out);
	thread_advance(g->lthreads, th, id, from, t, g_strdup(d.text), subject);
	draft_clear(&d);
}

static const char *const HEADLINES[] = {
	"Five lessons from {topic}", "How {company} rebuilt {topic}",
	"What we learned hiring for {team}", "Event: {event} in {city}",
	"Interview: {name} on {topic}", "The state of {topic}",
	"Reading list: {topic}", "Jobs: {title} at {company}",
	"Recap of {event}", "Ask the community: {topic}",
};

static void newsletter(gen *g, gint64 t, GString *out)
{
	rng_t *r = &g->r;
	const sender_t *s = &PICK(r, NEWSLETTERS);
	person np = {0};
	np.name = (char *)s->name;
	np.first = (char *)s->name;
	np.addr = (char *)s->addr;
	np.domain = (char *)s->host;
	np.tz = 0;
	np.client = -1;
	np.charset = CS_UTF8;
	draft d;
	draft_init(&d);
	d.client = -1;
	d.charset = chance(r, 0.15) ? CS_CP1252 : CS_UTF8;
	np.charset = d.charset;
	ctx_t c = {g, &np, NULL, t};
	GString *txt = g_string_new(NULL);
	GString *html = g_string_new(NULL);
	struct tm tm = tm_at(t, 0);
	char *issue = g_strdup_printf("%s %d, %d", MONTHS[tm.tm_mon], tm.tm_mday,
		tm.tm_year + 1900);
	g_string_append_printf(txt, "%s - %s\n\nView in your browser: https://%s/issues/%d\n\n",
		s->name, issue, s->host, rng_range(r, 10, 400));
	g_string_append_printf(html, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		"<meta charset=\"%s\"><meta name=\"viewport\" content=\"width=device-width\">"
		"<title>%s</title>\n<style>\nbody{margin:0;padding:0;background:#f4f4f7;"
		"font-family:Helvetica,Arial,sans-serif}\n.wrap{max-width:600px;margin:0 auto;"
		"background:#ffffff}\nh1{font-size:24px;color:#222}\nh2{font-size:18px;"
		"color:#333;margin:24px 0 8px}\np{font-size:15px;line-height:1.5;color:#444}\n"
		"a.btn{display:inline-block;padding:8px 16px;background:#3056d3;color:#fff;"
		"border-radius:4px;text-decoration:none}\n.footer{font-size:12px;color:#888}\n"
		"@media (max-width:620px){.wrap{width:100%% !important}}\n</style></head>\n"
		"<body><table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" "
		"cellspacing=\"0\" border=\"0\"><tr><td align=\"center\">\n<table class=\"wrap\" "
		"role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\">\n"
		"<tr><td style=\"padding:24px\"><h1>", CS_NAME[d.charset], s->name);
	html_escape(html, s->name);
	g_string_append_printf(html, "</h1><p style=\"color:#888\">%s</p></td></tr>\n", issue);
	int na = rng_range(r, 4, 8);
	for (int i = 0; i < na; i++) {
		GString *hl = g_string_new(NULL), *bl = g_string_new(NULL);
		fill(hl, &c, PICK(r, HEADLINES));
		SENT(bl, &c, S_UPDATE);
		SENT(bl, &c, S_UPDATE);
		g_string_append(bl, " Plus: what it means for teams like yours, and "
			"three questions to ask before you start.");
		int art = rng_range(r, 1000, 99999);
		g_string_append_printf(txt, "%s\n", hl->str);
		for (glong k = 0; k < g_utf8_strlen(hl->str, -1); k++)
			g_string_append_c(txt, '-');
		g_string_append_printf(txt, "\n%s\nRead more: https://%s/a/%d?utm_source=newsletter\n\n",
			bl->str, s->host, art);
		g_string_append(html, "<tr><td style=\"padding:0 24px 16px\">"
			"<table role=\"presentation\" width=\"100%\"><tr><td>"
			"<img src=\"https://cdn.");
		g_string_append_printf(html, "%s/img/%d.jpg\" width=\"552\" alt=\"\" "
			"style=\"display:block;border:0\"></td></tr><tr><td><h2>", s->host, art);
		html_escape(html, hl->str);
		g_string_append(html, "</h2><p>");
		html_escape(html, bl->str);
		g_string_append_printf(html, "</p><p><a class=\"btn\" href=\"https://%s/a/%d?"
			"utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=issue\">"
			"Read more</a></p></td></tr></table></td></tr>\n", s->host, art);
		g_string_free(hl, TRUE);
		g_string_free(bl, TRUE);
	}
	GString *tok = g_string_new(NULL);
	rand_alnum(r, tok, 32);
	g_string_append_printf(txt, "--\nYou are receiving this because you subscribed at "
		"%s.\nUnsubscribe: https://%s/u/%s\n%s, 12 Example Street, 10115 Berlin\n",
		s->host, s->host, tok->str, s->name);
	g_string_append_printf(html, "<tr><td class=\"footer\" style=\"padding:24px\">"
		"<p class=\"footer\">You are receiving this because you subscribed at %s. "
		"<a href=\"https://%s/u/%s\">Unsubscribe</a> &middot; "
		"<a href=\"https://%s/prefs/%s\">Preferences</a></p><p class=\"footer\">"
		"12 Example Street, 10115 Berlin</p></td></tr>\n</table></td></tr></table>"
		"<img src=\"https://t.%s/o/%s.gif\" width=\"1\" height=\"1\" alt=\"\">"
		"</body></html>\n", s->host, s->host, tok->str, s->host, tok->str, s->host,
		tok->str);
	d.text = g_string_free(txt, FALSE);
	d.html = g_string_free(html, FALSE);
	d.html_only = chance(r, 0.25);

	GString *h = d.hdr;
	GString *v = g_string_new(NULL);
	put_trace(g, h, "bounces+123@em.example.net", s->host, t);
	char *id = new_msgid(g, &np, -1);
	put_mailbox(v, s->name, s->addr, &np);
	put_hdr(h, "From", v->str);
	if (!is_ascii(s->name))
		g->n_encoded++;
	put_hdr(h, "To", "me@example.org");
	char *subj = g_strdup_printf("%s: %s", s->name, issue);
	put_text_hdr(g, h, "Subject", subj, &np);
	g_free(subj);
	char *ds = date_str(t, 0);
	put_hdr(h, "Date", ds);
	g_free(ds);
	g_string_append_printf(h, "Message-ID: <%s>\n", id);
	put_hdr(h, "MIME-Version", "1.0");
	g_string_printf(v, "<%s>", s->list_id);
	put_hdr(h, "List-Id", v->str);
	g_string_printf(v, "<https://%s/u/%s>, <mailto:unsubscribe@%s?subject=%s>",
		s->host, tok->str, s->host, tok->str);
	put_hdr(h, "List-Unsubscribe", v->str);
	put_hdr(h, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
	put_hdr(h, "Precedence", "bulk");
	g_string_printf(v, "%d:%s:newsletter", rng_range(r, 1000, 9999), s->host);
	put_hdr(h, "Feedback-ID", v->str);
	g_string_free(v, TRUE);
	g_string_free(tok, TRUE);
	render(g, &d, out);
	g_free(id);
	g_free(issue);
	draft_clear(&d);
}

static void notification(gen *g, gint64 t, GString *out)
{
	rng_t *r = &g->r;
	const person *p = &g->people[pick_correspondent(g)];
	person np = {0};
	np.tz = 0;
	np.client = -1;
	np.charset = CS_UTF8;
	draft d;
	draft_init(&d);
	d.client = -1;
	ctx_t c = {g, &ME_PERSON, &ME_PERSON, t};
	GString *subj = g_string_new(NULL), *txt = g_string_new(NULL);
	switch (rng_below(r, 3)) {
	case 0:
		np.name = "Calendar";
		np.addr = "calendar-notification@calendar.example.com";
		np.domain = "calendar.example.com";
		g_string_append_printf(subj, "Invitation: Coffee with %s @ ", p->first);
		fill(subj, &c, "{day} {time}");
		g_string_append_printf(txt, "%s has invited you to an event.\n\nCoffee with %s\n"
			"When: ", p->name, p->first);
		fill(txt, &c, "{day} {date}, {time}\nWhere: Café near the station, {city}\n\n");
		g_string_append(txt, "Going? Yes - Maybe - No\nhttps://calendar.example.com/event?eid=");
		rand_alnum(r, txt, 40);
		g_string_append(txt, "\n\nInvitation from Calendar\nYou are receiving this "
			"email because you are an attendee of the event.\n");
		break;
	case 1:
		np.name = "Connections";
		np.addr = "notifications@network.example";
		np.domain = "network.example";
		if (chance(r, 0.5)) {
			g_string_append_printf(subj, "%s wants to connect", p->name);
			g_string_append_printf(txt, "%s (%s%s%s) wants to connect with you.\n\n"
				"Accept: https://network.example/invite/", p->name, p->title,
				p->company ? " at " : "", p->company ? p->company : "");
		} else {
			g_string_append_printf(subj, "%s accepted your invitation", p->name);
			g_string_append_printf(txt, "%s accepted your invitation. Say hello and "
				"start a conversation.\n\nView profile: https://network.example/in/",
				p->name);
		}
		rand_alnum(r, txt, 16);
		g_string_append(txt, "\n\nUnsubscribe: https://network.example/settings\n");
		break;
	default:
		np.name = "Shared documents";
		np.addr = "drive-noreply@docs.example";
		np.domain = "docs.example";
		{
			const char *doc = PICK(r, DOCS);
			g_string_append_printf(subj, "%s shared \"%s\" with you", p->name, doc);
			g_string_append_printf(txt, "%s shared a document with you:\n\n"
				"\"%s\"\n\n", p->name, doc);
		}
		g_string_append(txt, "Open: https://docs.example/d/");
		rand_alnum(r, txt, 44);
		g_string_append(txt, "\n\nYou have received this email because someone shared "
			"a document with you.\n");
	}
	d.text = g_string_free(txt, FALSE);
	if (chance(r, 0.35)) {
		GString *html = g_string_new("<!DOCTYPE html><html><head><meta charset=\"UTF-8\">"
			"</head><body style=\"font-family:Roboto,Arial,sans-serif\">"
			"<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td>");
		gchar **lines = g_strsplit(d.text, "\n", -1);
		for (int i = 0; lines[i]; i++) {
			g_string_append(html, "<p style=\"margin:0 0 8px\">");
			html_escape(html, lines[i]);
			g_string_append(html, "</p>");
		}
		g_strfreev(lines);
		g_string_append(html, "</td></tr></table></body></html>\n");
		d.html = g_string_free(html, FALSE);
	}
	GString *h = d.hdr;
	put_trace(g, h, np.addr, np.domain, t);
	char *id = new_msgid(g, &np, -1);
	GString *v = g_string_new(NULL);
	put_mailbox(v, np.name, np.addr, NULL);
	put_hdr(h, "From", v->str);
	g_string_free(v, TRUE);
	put_hdr(h, "To", "me@example.org");
	put_text_hdr(g, h, "Subject", subj->str, NULL);
	char *ds = date_str(t, 0);
	put_hdr(h, "Date", ds);
	g_free(ds);
	g_string_append_printf(h, "Message-ID: <%s>\n", id);
	put_hdr(h, "MIME-Version", "1.0");
	put_hdr(h, "Auto-Submitted", "auto-generated");
	render(g, &d, out);
	g_string_free(subj, TRUE);
	g_free(id);
	draft_clear(&d);
}

static void autoreply(gen *g, gint64 t, GString *out)
{
	rng_t *r = &g->r;
	int from = g->last_sent_to;
	const person *pf = &g->people[from];
	draft d;
	draft_init(&d);
	d.client = pf->client;
	d.charset = pf->charset;
	ctx_t c = {g, pf, &ME_PERSON, t};
	GString *txt = g_string_new(NULL);
	if (pf->tz == 60 && chance(r, 0.5)) {
		fill(txt, &c, "Vielen Dank für Ihre Nachricht. Ich bin bis zum {date} "
			"nicht im Büro und habe nur eingeschränkt Zugriff auf meine E-Mails.\n\n");
	}
	fill(txt, &c, "Thank you for your message. I am out of the office until {date} "
		"with limited access to email. For urgent matters, please contact {name}.\n\n");
	g_string_append_printf(txt, "Best regards,\n%s\n", pf->name);
	d.text = g_string_free(txt, FALSE);
	GString *h = d.hdr;
	put_trace(g, h, pf->addr, pf->domain, t);
	char *id = new_msgid(g, pf, pf->client);
	put_person_hdr(g, h, "From", from, pf);
	put_person_hdr(g, h, "To", ME, pf);
	const char *pre = pf->client == CL_OUTLOOK ? "Automatic reply: " :
		chance(r, 0.5) ? "Out of Office: " : "Abwesend: ";
	char *subj = g_strconcat(pre, g->last_sent_subject, NULL);
	put_text_hdr(g, h, "Subject", subj, pf);
	g_free(subj);
	char *ds = date_str(t, pf->tz);
	put_hdr(h, "Date", ds);
	g_free(ds);
	g_string_append_printf(h, "Message-ID: <%s>\nIn-Reply-To: <%s>\nReferences: <%s>\n",
		id, g->last_sent_id, g->last_sent_id);
	put_hdr(h, "Auto-Submitted", "auto-replied");
	put_hdr(h, "X-Auto-Response-Suppress", "All");
	put_hdr(h, "MIME-Version", "1.0");
	render(g, &d, out);
	g_free(id);
	draft_clear(&d);
	g_clear_pointer(&g->last_sent_id, g_free);
}

static void bounce(gen *g, gint64 t, GString *out)
{
	rng_t *r = &g->r;
	const person *pt = &g->people[g->last_sent_to];
	char *b = boundary(g, CL_TBIRD, 0);
	char *id = new_msgid(g, &ME_PERSON, -1);
	char *ds = date_str(t, 0);
	char *sd = date_str(g->last_sent_date, ME_PERSON.tz);
	GString *h = g_string_new(NULL);
	put_trace(g, h, "MAILER-DAEMON", "example.org", t);
	put_hdr(out, "Return-Path", "<>");
	g_string_append(out, h->str + strcspn(h->str, "\n") + 1); /* drop the first Return-Path */
	put_hdr(out, "Date", ds);
	put_hdr(out, "From", "Mail Delivery System <MAILER-DAEMON@mx1.example.org>");
	put_hdr(out, "Subject", "Undelivered Mail Returned to Sender");
	put_hdr(out, "To", "me@example.org");
	put_hdr(out, "Auto-Submitted", "auto-replied");
	g_string_append_printf(out, "Message-ID: <%s>\nMIME-Version: 1.0\n"
		"Content-Type: multipart/report; report-type=delivery-status;\n"
		"\tboundary=\"%s\"\n\nThis is a MIME-encapsulated message.\n\n--%s\n"
		"Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
		"This is the mail system at host mx1.example.org.\n\nI'm sorry to have to "
		"inform you that your message could not\nbe delivered to one or more "
		"recipients. It's attached below.\n\n                   The mail system\n\n"
		"<%s>: host mx.%s[198.51.100.%d] said: 550 5.1.1\n    <%s>: Recipient "
		"address rejected: User unknown in virtual mailbox\n    table (in reply to "
		"RCPT TO command)\n\n--%s\nContent-Description: Delivery report\n"
		"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx1.example.org\n"
		"X-Postfix-Queue-ID: 4Tq9xX3abc\nArrival-Date: %s\n\nFinal-Recipient: "
		"rfc822; %s\nOriginal-Recipient: rfc822;%s\nAction: failed\nStatus: 5.1.1\n"
		"Remote-MTA: dns; mx.%s\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient "
		"address rejected: User unknown\n\n--%s\nContent-Description: Undelivered "
		"Message Headers\nContent-Type: text/rfc822-headers\n\n"
		"From: Sam Rivera <me@example.org>\nTo: %s\nSubject: ", id, b, b, pt->addr,
		pt->domain, rng_range(r, 2, 250), pt->addr, b, sd, pt->addr, pt->addr,
		pt->domain, pt->addr, b, pt->addr);
	GString *s = g_string_new(NULL);
	if (is_ascii(g->last_sent_subject))
		g_string_append(s, g->last_sent_subject);
	else
		ew_q(s, g->last_sent_subject, "utf-8");
	g_string_append_printf(out, "%s\nDate: %s\nMessage-ID: <%s>\n\n--%s--\n", s->str,
		sd, g->last_sent_id, b);
	g_string_free(s, TRUE);
	g_string_free(h, TRUE);
	g_free(b);
	g_free(id);
	g_free(ds);
	g_free(sd);
	g_clear_pointer(&g->last_sent_id, g_free);
}

/* ---- people ------------------------------------------------------------- */

static void make_people(gen *g, guint n)
{
	rng_t *r = &g->r;
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	g->people = g_new0(person, n);
	g->n_people = n;
	g->n_corr = n * 3 / 4;
	static const int FREE_TZ[] = {-480, -300, -300, 0, 60, 60, 120, 330, 540, -180};
	for (guint i = 0; i < n; i++) {
		person *p = &g->people[i];
		char *local;
		if (i % 23 == 11) {
			const whole_t *w = &WHOLE[(i / 23) % G_N_ELEMENTS(WHOLE)];
			p->name = g_strdup(w->disp);
			p->first = g_strdup(w->first);
			local = g_strdup(w->local);
		} else {
			const name_t *f = &PICK(r, FIRST), *l = &PICK(r, LAST);
			p->name = g_strdup_printf("%s %s", f->disp, l->disp);
			p->first = g_strdup(f->disp);
			switch (rng_below(r, 4)) {
			case 0: local = g_strdup_printf("%s.%s", f->ascii, l->ascii); break;
			case 1: local = g_strdup_printf("%c%s", f->ascii[0], l->ascii); break;
			case 2: local = g_strdup_printf("%s", f->ascii); break;
			default: local = g_strdup_printf("%s_%s", f->ascii, l->ascii);
			}
		}
		if (chance(r, 0.25)) {
			p->domain = g_strdup(PICK(r, FREEMAIL));
			p->company = NULL;
			p->tz = PICK(r, FREE_TZ);
		} else {
			const company_t *c = &PICK(r, COMPANY);
			p->domain = g_strdup(c->domain);
			p->company = c->name;
			p->tz = c->tz;
		}
		char *addr = g_strdup_printf("%s@%s", local, p->domain);
		for (int k = 2; g_hash_table_contains(seen, addr); k++) {
			g_free(addr);
			addr = g_strdup_printf("%s%d@%s", local, k, p->domain);
		}
		g_free(local);
		p->addr = addr;
		g_hash_table_add(seen, addr);
		p->title = PICK(r, TITLES);
		p->phone = g_strdup_printf("+%d %d %03d %04d",
			p->tz <= -180 ? 1 : p->tz == 0 ? 44 : p->tz == 60 ? 49 : p->tz == 330 ? 91 : 81,
			rng_range(r, 20, 99), rng_range(r, 100, 999), rng_range(r, 0, 9999));
		double u = rng_unit(r);
		p->client = u < 0.40 ? CL_GMAIL : u < 0.70 ? CL_OUTLOOK : u < 0.88 ? CL_APPLE : CL_TBIRD;
		p->charset = CS_UTF8;
		if (latin1_ok(p->name)) {
			if (!is_ascii(p->name) && chance(r, 0.3))
				p->charset = chance(r, 0.5) ? CS_LATIN1 : CS_CP1252;
			else if (p->client == CL_OUTLOOK && chance(r, 0.25))
				p->charset = CS_CP1252;
		}
		p->raw_utf8_headers = p->charset == CS_UTF8 && p->client == CL_GMAIL &&
			chance(r, 0.05);
		p->disclaimer = p->client == CL_OUTLOOK && p->company && chance(r, 0.3);
		p->iphone = p->client == CL_APPLE && chance(r, 0.5);
		p->dmy = p->tz >= 0;
	}
	g_hash_table_destroy(seen);
}

static void free_people(gen *g)
{
	for (guint i = 0; i < g->n_people; i++) {
		person *p = &g->people[i];
		g_free(p->name);
		g_free(p->first);
		g_free(p->addr);
		g_free(p->domain);
		g_free(p->phone);
	}
	g_free(g->people);
}

static void gen_init(gen *g, uint64_t seed, double sent_fraction)
{
	memset(g, 0, sizeof *g);
	rng_seed(&g->r, seed);
	rng_seed(&g->names, seed ^ 0x6d61696c646972ULL);
	make_people(g, 320);
	g->threads = g_ptr_array_new_with_free_func(thread_free);
	g->lthreads = g_ptr_array_new_with_free_func(thread_free);
	/* personal and sent mail carry the attachments and most HTML */
	double eligible = sent_fraction + (1 - sent_fraction) * 0.68;
	g->p_att = eligible > 0 ? MIN(1.0, 0.05 / eligible) : 0;
	double bulk_alt = (1 - sent_fraction) * (0.08 * 0.75 + 0.10 * 0.35);
	g->p_alt = eligible > 0 ? MAX(0.0, MIN(1.0, (0.10 - bulk_alt) / eligible)) : 0;
}

static void gen_clear(gen *g)
{
	g_ptr_array_free(g->threads, TRUE);
	g_ptr_array_free(g->lthreads, TRUE);
	g_free(g->last_sent_id);
	g_free(g->last_sent_subject);
	free_people(g);
}

/* ---- output ------------------------------------------------------------- */

typedef struct {
	char *dir;
	FILE *mbox;
	guint64 n, n_new;
} sink;

static int mkdirs(const char *base, const char *sub)
{
	char *p = g_build_filename(base, sub, NULL);
	int rc = g_mkdir_with_parents(p, 0755);
	if (rc)
		fprintf(stderr, "gen-maildir: %s: %s\n", p, g_strerror(errno));
	g_free(p);
	return rc;
}

static gboolean dir_has_files(const char *base, const char *sub)
{
	char *p = g_build_filename(base, sub, NULL);
	GDir *d = g_dir_open(p, 0, NULL);
	gboolean any = d && g_dir_read_name(d) != NULL;
	if (d)
		g_dir_close(d);
	g_free(p);
	return any;
}

static int write_file(const char *path, const GString *m, gint64 t)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(m->str, 1, m->len, f) != m->len || fclose(f)) {
		fprintf(stderr, "gen-maildir: %s: %s\n", path, g_strerror(errno));
		return -1;
	}
	struct timespec ts[2] = {{(time_t)t, 0}, {(time_t)t, 0}};
	utimensat(AT_FDCWD, path, ts, 0);
	return 0;
}

static int write_mbox(FILE *f, const GString *m, const char *env, gint64 t)
{
	struct tm tm = tm_at(t, 0);
	fprintf(f, "From %s %s %s %2d %02d:%02d:%02d %d\n", env, DAYS3[tm.tm_wday],
		MONTHS3[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		tm.tm_year + 1900);
	const char *p = m->str, *end = m->str + m->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		const char *q = p;
		while (q < le && *q == '>')
			q++;
		if (le - q >= 5 && !memcmp(q, "From ", 5))
			fputc('>', f);
		fwrite(p, 1, (size_t)(le - p), f);
		p = le;
	}
	if (m->len && m->str[m->len - 1] != '\n')
		fputc('\n', f);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* Puts one message in the maildir and/or mbox. */
static int emit(gen *g, sink *s, const GString *m, gint64 t, gboolean sent,
	gboolean is_new, const char *env, int kind)
{
	rng_t *r = &g->names;
	g->bytes += m->len;
	g->n_kind[kind]++;
	s->n++;
	if (s->mbox && write_mbox(s->mbox, m, env, t) < 0) {
		fprintf(stderr, "gen-maildir: writing the mbox: %s\n", g_strerror(errno));
		return -1;
	}
	if (!s->dir)
		return 0;
	GString *name = g_string_new(NULL);
	g_string_printf(name, "%" G_GINT64_FORMAT ".M%dP%dQ%" G_GUINT64_FORMAT ".%s",
		t, rng_range(r, 0, 999999), rng_range(r, 1000, 65000), s->n,
		sent ? "laptop.example.org" : "mail.example.org");
	if (chance(r, 0.6)) {
		g_string_append_printf(name, ",S=%zu", m->len);
		if (chance(r, 0.5)) {
			gsize lines = 0;
			for (gsize i = 0; i < m->len; i++)
				lines += m->str[i] == '\n';
			g_string_append_printf(name, ",W=%zu", m->len + lines);
		}
	}
	const char *sub;
	if (sent) {
		sub = ".Sent/cur";
		g_string_append(name, ":2,S");
	} else if (is_new) {
		sub = "new";
		s->n_new++;
	} else {
		sub = "cur";
		double u = rng_unit(r);
		gboolean bulk = kind == K_NEWSLETTER || kind == K_NOTIFY || kind == K_LIST;
		if (bulk && u < 0.3)
			g_string_append(name, ":2,");
		else if (kind == K_PERSONAL && u < 0.2)
			g_string_append(name, ":2,RS");
		else if (kind == K_PERSONAL && u < 0.24)
			g_string_append(name, ":2,FS");
		else if (u < 0.95)
			g_string_append(name, ":2,S");
		else
			g_string_append(name, ":2,");
	}
	char *path = g_build_filename(s->dir, sub, name->str, NULL);
	int rc = write_file(path, m, t);
	g_free(path);
	g_string_free(name, TRUE);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

/* N send times over two years: mostly working hours, fewer at weekends. */
static gint64 *make_times(rng_t *r, guint n)
{
	gint64 *ts = g_new(gint64, n);
	for (guint i = 0; i < n; i++) {
		int day;
		do {
			day = (int)rng_below(r, SPAN_DAYS);
		} while ((day % 7 == 0 || day % 7 == 6) && !chance(r, 0.3)); /* 2023-01-01: Sunday */
		int hour = chance(r, 0.85) ? rng_range(r, 7, 18) : rng_range(r, 0, 23);
		ts[i] = START_TIME + (gint64)day * 86400 + hour * 3600 +
			rng_range(r, 0, 3599);
	}
	qsort(ts, n, sizeof *ts, cmp_i64);
	return ts;
}

static int generate(gen *g, sink *s, guint n, double sent_fraction)
{
	rng_t *r = &g->r;
	gint64 *ts = make_times(r, n);
	guint new_from = n - MAX(1u, n / 200);
	int rc = 0;
	GString *m = g_string_sized_new(64 * 1024);
	for (guint i = 0; i < n && !rc; i++) {
		gint64 t = ts[i];
		g_string_truncate(m, 0);
		int kind;
		const char *env;
		if (chance(r, sent_fraction)) {
			kind = K_SENT;
			env = ME_PERSON.addr;
			thread *th = chance(r, 0.65) ? pick_thread(g, g->threads, 0, -1) : NULL;
			if (!th && chance(r, 0.08)) {
				int a = pick_correspondent(g), b = pick_correspondent(g);
				if (a == b)
					b = (a + 1) % (int)g->n_corr;
				intro(g, a, b, t, m);
			} else {
				int to = th ? th->other : pick_correspondent(g);
				personal(g, g->threads, th, ME, to, t, TRUE, m);
			}
		} else {
			double u = rng_unit(r);
			if (u < 0.04 && g->last_sent_id && t - g->last_sent_date < 3 * 86400)
				kind = chance(r, 0.15) ? K_BOUNCE : K_AUTOREPLY;
			else if (u < 0.68)
				kind = K_PERSONAL;
			else if (u < 0.82)
				kind = K_LIST;
			else if (u < 0.90)
				kind = K_NEWSLETTER;
			else
				kind = K_NOTIFY;
			switch (kind) {
			case K_PERSONAL: {
				thread *th = NULL;
				if (chance(r, 0.55))
					th = pick_thread(g, g->threads, 1, -1);
				else if (chance(r, 0.05))
					th = pick_thread(g, g->threads, 0, -1);
				int from = th ? th->other : pick_correspondent(g);
				env = g->people[from].addr;
				personal(g, g->threads, th, from, ME, t, TRUE, m);
				break;
			}
			case K_LIST:
				env = "bounces@lists.example.net";
				list_message(g, t, m);
				break;
			case K_NEWSLETTER:
				env = "bounces@em.example.net";
				newsletter(g, t, m);
				break;
			case K_NOTIFY:
				env = "noreply@example.com";
				notification(g, t, m);
				break;
			case K_AUTOREPLY:
				env = g->people[g->last_sent_to].addr;
				autoreply(g, t, m);
				break;
			default:
				env = "MAILER-DAEMON";
				bounce(g, t, m);
			}
		}
		rc = emit(g, s, m, t, kind == K_SENT, i >= new_from, env, kind);
	}
	g_string_free(m, TRUE);
	g_free(ts);
	return rc;
}

/* One personal message of about 5 KB, from a correspondent to me. */
static int write_one(uint64_t seed, const char *path)
{
	gen g;
	gen_init(&g, seed ^ 0x6f6e65, 0.2);
	GString *m = g_string_new(NULL);
	int other = 3;
	while (g.people[other].client == CL_TBIRD || !is_ascii(g.people[other].name) ||
	    g.people[other].charset != CS_UTF8)
		other++;
	gint64 t = START_TIME + (gint64)SPAN_DAYS * 86400 - 20 * 86400 + 9 * 3600;
	thread *th = NULL;
	for (int k = 0; k < 20; k++) {
		int from = k % 2 ? ME : other;
		g_string_truncate(m, 0);
		th = personal(&g, NULL, th, from, from == ME ? other : ME, t, FALSE, m);
		t += rng_range(&g.r, 2, 30) * 3600;
		if (from != ME && m->len >= 4600)
			break;
	}
	thread_free(th);
	int rc = write_file(path, m, t);
	if (!rc)
		fprintf(stderr, "gen-maildir: wrote %s (%zu bytes)\n", path, m->len);
	g_string_free(m, TRUE);
	gen_clear(&g);
	return rc;
}

int main(int argc, char **argv)
{
	gint n = 20000;
	gint64 seed = 1;
	gdouble sent_fraction = 0.2;
	char *mbox_path = NULL, *one_path = NULL;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{"count", 'n', 0, G_OPTION_ARG_INT, &n, "messages to write (20000)", "N"},
		{"seed", 's', 0, G_OPTION_ARG_INT64, &seed, "PRNG seed (1)", "SEED"},
		{"sent-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &sent_fraction,
			"share of messages sent by me, in DIR/.Sent (0.2)", "F"},
		{"mbox", 0, 0, G_OPTION_ARG_FILENAME, &mbox_path,
			"also write the messages as one mboxrd file", "FILE"},
		{"one", 0, 0, G_OPTION_ARG_FILENAME, &one_path,
			"write one ~5 KB personal message to FILE", "FILE"},
		{"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no summary", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *oc = g_option_context_new("[DIR]");
	g_option_context_set_summary(oc, "Writes a deterministic, realistic maildir "
		"(DIR/{cur,new,tmp} and DIR/.Sent) for kith's benchmarks.");
	g_option_context_add_main_entries(oc, entries, NULL);
	GError *err = NULL;
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "gen-maildir: %s\n", err->message);
		return 2;
	}
	g_option_context_free(oc);
	const char *dir = argc > 1 ? argv[1] : NULL;
	if (argc > 2 || n < 1 || sent_fraction < 0 || sent_fraction > 1 ||
	    (!dir && !mbox_path && !one_path)) {
		fprintf(stderr, "usage: gen-maildir [-n N] [-s SEED] [--sent-fraction F] "
			"[--mbox FILE] [--one FILE] [DIR]\n");
		return 2;
	}
	if (one_path && write_one((uint64_t)seed, one_path))
		return 1;
	if (!dir && !mbox_path)
		return 0;

	sink s = {0};
	if (dir) {
		if (dir_has_files(dir, "cur") || dir_has_files(dir, "new") ||
		    dir_has_files(dir, ".Sent/cur")) {
			fprintf(stderr, "gen-maildir: %s already holds messages\n", dir);
			return 1;
		}
		if (mkdirs(dir, "cur") || mkdirs(dir, "new") || mkdirs(dir, "tmp") ||
		    mkdirs(dir, ".Sent/cur") || mkdirs(dir, ".Sent/new") ||
		    mkdirs(dir, ".Sent/tmp"))
			return 1;
		char *mf = g_build_filename(dir, ".Sent", "maildirfolder", NULL);
		g_file_set_contents(mf, "", 0, NULL);
		g_free(mf);
		s.dir = g_strdup(dir);
	}
	if (mbox_path) {
		s.mbox = fopen(mbox_path, "wb");
		if (!s.mbox) {
			fprintf(stderr, "gen-maildir: %s: %s\n", mbox_path, g_strerror(errno));
			return 1;
		}
	}
	gen g;
	gen_init(&g, (uint64_t)seed, sent_fraction);
	int rc = generate(&g, &s, (guint)n, sent_fraction);
	if (s.mbox && fclose(s.mbox)) {
		fprintf(stderr, "gen-maildir: %s: %s\n", mbox_path, g_strerror(errno));
		rc = -1;
	}
	if (!rc && !quiet) {
		fprintf(stderr, "gen-maildir: %" G_GUINT64_FORMAT " messages, %.1f MB "
			"(%" G_GUINT64_FORMAT " in new/)\n", s.n, g.bytes / 1e6, s.n_new);
		for (int k = 0; k < K_COUNT; k++)
			fprintf(stderr, "  %-13s %6" G_GUINT64_FORMAT "\n", KIND_NAME[k],
				g.n_kind[k]);
		fprintf(stderr, "  alternative   %6" G_GUINT64_FORMAT " (%.1f%%), html only %"
			G_GUINT64_FORMAT "\n", g.n_alt, 100.0 * g.n_alt / s.n, g.n_html_only);
		fprintf(stderr, "  attachments   %6" G_GUINT64_FORMAT " in %" G_GUINT64_FORMAT
			" messages (%.1f%%)\n", g.n_att, g.n_att_msgs, 100.0 * g.n_att_msgs / s.n);
		fprintf(stderr, "  non-UTF-8 bodies %" G_GUINT64_FORMAT ", encoded-word "
			"headers %" G_GUINT64_FORMAT "\n", g.n_latin, g.n_encoded);
	}
	gen_clear(&g);
	g_free(s.dir);
	g_free(mbox_path);
	g_free(one_path);
	return rc ? 1 : 0;
}
