//! Compact reference tables: top-level domains, country calling codes with
//! plausible national lengths, IBAN lengths, known test cards, UPI handles,
//! mail providers. Space-separated strings keep them small in the WASM; they
//! are only consulted for candidates, so a linear scan is fine.

/// Whether the space-separated `list` contains `w`. Each list is split and
/// sorted once, on first use, then searched by bisection.
pub(crate) fn in_list(list: &'static str, w: &str) -> bool {
    if w.is_empty() {
        return false;
    }
    let lists = &super::statics().lists;
    match lists.iter().find(|(p, _)| *p == list.as_ptr() as usize) {
        Some((_, v)) => v.binary_search(&w).is_ok(),
        None => list.split_ascii_whitespace().any(|x| x == w),
    }
}

/// Country-code top-level domains.
static CC_TLDS: &str = "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs \
bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk \
fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm \
jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms \
mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru \
rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua \
ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw";

/// Generic top-level domains people actually use.
static G_TLDS: &str = "com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat \
xyz app dev page online site website store shop tech space live life world today blog cloud agency studio design \
digital media news email link click one top vip work group team global network systems software solutions services \
consulting marketing company ltd llc inc academy center expert guru ninja rocks social photography photo photos \
gallery art music video games game fun club love style fashion beauty health fitness law legal finance money \
capital fund tax business careers school education university events graphics codes tools plus zone city land red \
blue pink black green gold wiki host hosting domains web press science technology engineering build builders \
construction estate property realty homes house garden farm food cafe restaurant pizza bar pub wine coffee tours \
holiday beach yoga dental clinic care doctor healthcare vet pet dog run bike auto car cars taxi works ventures \
partners holdings management events academy courses training coach chat community directory express fyi icu ink \
me name new nyc london berlin paris tokyo africa lat uno xn";

/// Top-level domains that are also file extensions: `main.py`, `README.md`.
static FILE_TLDS: &str = "py md sh rs pl ps so cc tf ml gd pm mk zip mov sc cs ts js rb go kt cpp";

/// Top-level domains that are also short words: `done.it`, `hi.my`.
static WORD_TLDS: &str =
    "am as at be by do go id im in is it me my no so to us an ai co la ma mo na ne nu or pe re \
se st tv ws ok uk link name email page run app one fun";

/// The lists searched by [`in_list`], split and sorted (built once).
pub(crate) type Lists = Vec<(usize, Vec<&'static str>)>;

pub(crate) fn build_lists() -> Lists {
    [
        super::url::BRANDS,
        FILE_TLDS,
        WORD_TLDS,
        MAIL_PROVIDERS,
        MAIL_PROVIDERS_BARE,
        UPI_HANDLES,
        TEST_CARDS,
        PLACEHOLDER_LOCALS,
        CC_TLDS,
        G_TLDS,
    ]
    .iter()
    .map(|l| (l.as_ptr() as usize, sorted(l)))
    .collect()
}

fn sorted(list: &'static str) -> Vec<&'static str> {
    let mut v: Vec<&str> = list.split_ascii_whitespace().collect();
    super::sort_by(&mut v, |a, b| a.cmp(b));
    v.dedup();
    v
}

pub(crate) fn is_tld(t: &str) -> bool {
    if t.len() == 2 {
        return in_list(CC_TLDS, t);
    }
    t.len() > 2 && (t.starts_with("xn--") || in_list(G_TLDS, t))
}

pub(crate) fn is_file_tld(t: &str) -> bool {
    in_list(FILE_TLDS, t)
}

pub(crate) fn is_word_tld(t: &str) -> bool {
    in_list(WORD_TLDS, t)
}

/// Mail providers, by their second-level label.
static MAIL_PROVIDERS: &str = "gmail googlemail yahoo ymail rocketmail hotmail outlook live msn icloud me mac aol \
protonmail proton pm zoho yandex ya mail rambler bk list inbox gmx web t-online freenet orange free laposte sfr \
wanadoo libero virgilio tiscali qq 163 126 sina sohu yeah naver daum hanmail rediffmail rediff uol bol terra \
tutanota tuta fastmail hey mailbox seznam wp o2 onet interia abv mail2world lycos";

/// Providers distinctive enough to stand without a top-level domain:
/// `john@gmail`.
static MAIL_PROVIDERS_BARE: &str =
    "gmail googlemail yahoo ymail hotmail outlook icloud aol protonmail proton zoho \
yandex gmx rediffmail qq 163 126 naver hanmail tutanota fastmail";

pub(crate) fn is_mail_provider(label: &str) -> bool {
    in_list(MAIL_PROVIDERS, label)
}

pub(crate) fn is_bare_mail_provider(label: &str) -> bool {
    in_list(MAIL_PROVIDERS_BARE, label)
}

/// UPI handles (the part after '@' in a UPI id).
static UPI_HANDLES: &str = "upi ybl ibl axl okaxis oksbi okhdfcbank okicici paytm apl yapl ptyes ptaxis pthdfc ptsbi \
axisbank axisb sbi icici hdfcbank kotak indus federal barodampay idfcbank idfcfirst aubank rbl yesbank ikwik \
freecharge airtel jio mobikwik fbl kbl unionbank pnb boi cnrb jupiteraxis slice waaxis wahdfcbank wasbi waicici \
abfspay timecosmos axisbank ezeepay superyes naviaxis";

pub(crate) fn is_upi_handle(h: &str) -> bool {
    in_list(UPI_HANDLES, h)
}

/// Country calling codes with the plausible length range of the national
/// significant number: `code:min-max` (or `code:len`).
const CALLING_CODES: &str = "1:10 7:10 20:9-10 27:9 30:10 31:9 32:8-9 33:9 34:9 36:8-9 39:6-11 40:9 41:9 43:4-13 \
44:9-10 45:8 46:7-13 47:8 48:9 49:6-13 51:8-11 52:10 53:6-8 54:10-11 55:10-11 56:8-9 57:8-10 58:10 60:7-10 61:5-9 \
62:7-12 63:8-10 64:3-10 65:8 66:8-9 81:5-10 82:8-11 84:7-10 86:5-12 90:10 91:7-10 92:8-11 93:9 94:9 95:7-10 98:6-10 \
211:9 212:9 213:8-9 216:8 218:8-9 220:7 221:9 222:8 223:8 224:8-9 225:8-10 226:8 227:8 228:8 229:8-10 230:7-8 \
231:7-9 232:8 233:9 234:8-10 235:8 236:8 237:9 238:7 239:7 240:9 241:7-8 242:9 243:9 244:9 245:7-9 246:7 248:7 \
249:9 250:9 251:9 252:7-9 253:8 254:9-10 255:9 256:9 257:8 258:8-9 260:9 261:9 262:9 263:9-10 264:9 265:7-9 266:8 \
267:7-8 268:8 269:7 290:4-5 291:7 297:7 298:6 299:6 350:8 351:9 352:4-11 353:7-9 354:7-9 355:8-9 356:8 357:8 \
358:5-12 359:7-9 370:8 371:8 372:7-8 373:8 374:8 375:9 376:6-9 377:8-9 378:6-10 380:9 381:6-9 382:8 383:8 385:8-9 \
386:8 387:8 389:8 420:9 421:9 423:7-9 500:5 501:7 502:8 503:8 504:8 505:8 506:8 507:7-8 508:6 509:8 590:9 591:8 \
592:7 593:8-9 594:9 595:9 596:9 597:6-7 598:8 599:7-8 670:7-8 672:6 673:7 674:7 675:7-8 676:5-7 677:5-7 678:5-7 \
679:7 680:7 681:6 682:5 683:4 685:5-7 686:5-8 687:6 688:5-6 689:6-8 690:4 691:7 692:7 850:8-10 852:8 853:8 855:8-9 \
856:8-10 880:10 886:8-9 960:7 961:7-8 962:8-9 963:9 964:10 965:8 966:9 967:7-9 968:8 970:9 971:8-9 972:8-9 973:8 \
974:8 975:7-8 976:8 977:8-10 992:9 993:8 994:9 995:9 996:9 998:9";

/// Splits a digit string after '+' into (calling code length, min, max) of
/// the national number. Calling codes are prefix-free, so at most one matches.
pub(crate) fn calling_code(digits: &[u8]) -> Option<(usize, usize, usize)> {
    for entry in CALLING_CODES.split_ascii_whitespace() {
        let (code, lens) = entry.split_once(':')?;
        if digits.len() >= code.len() && digits.iter().zip(code.bytes()).all(|(d, c)| *d == c) {
            let (lo, hi) = match lens.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let l: usize = lens.parse().ok()?;
                    (l, l)
                }
            };
            return Some((code.len(), lo, hi));
        }
    }
    None
}

/// IBAN lengths by country.
const IBAN_LENGTHS: &str = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 \
DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 \
IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 \
PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 \
VG24 XK20 YE30";

/// The IBAN length for a country (upper-case ASCII letters).
pub(crate) fn iban_length(cc: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS.split_ascii_whitespace().find_map(|e| {
        let b = e.as_bytes();
        if b.len() >= 3 && b[0] == cc[0] && b[1] == cc[1] {
            e.get(2..)?.parse().ok()
        } else {
            None
        }
    })
}

/// Card numbers published by payment processors for testing.
static TEST_CARDS: &str = "4111111111111111 4242424242424242 4000056655665556 5555555555554444 5200828282828210 \
5105105105105100 2223003122003222 378282246310005 371449635398431 378734493671000 6011111111111117 \
6011000990139424 6011000400000000 3056930009020004 30569309025904 38520000023237 36227206271667 3566002020360505 \
3530111333300000 3566111111111113 6200000000000005 4012888888881881 4222222222222 4012111111111111 \
4000000000000002 4000000000009995 4000000000000077 4000000000000069 4000000000000119 4000000000000127 \
4000002500003155 4000002760003184 4000000000003220 4000000000000341 5454545454545454 4917610000000000 \
4444333322221111 4263982640269299 5425233430109903 2222420000001113 374245455400126 6250941006528599 \
4005550000000001 4012000033330026 5011054488597827 6759649826438453 4988438843884305 4166676667666746 \
4646464646464644 4000000000000010 4000000000000028 5500000000000004 340000000000009 30000000000004 \
6011000000000004 3088000000000009 4000000000000101 4000000000000036";

pub(crate) fn is_test_card(digits: &str) -> bool {
    in_list(TEST_CARDS, digits)
}

/// Words that read as a person's or company's placeholder: `your@email.com`.
static PLACEHOLDER_LOCALS: &str = "your yourname youremail your.name your.email yourmail name user username email \
someone somebody xxx xxxx xxxxx abc xyz test foo bar johndoe john.doe jane.doe janedoe noreply no-reply donotreply \
do-not-reply example sample you me info@ firstname lastname first.last firstname.lastname name.surname";

pub(crate) fn is_placeholder_local(l: &str) -> bool {
    in_list(PLACEHOLDER_LOCALS, l)
        && !matches!(l, "johndoe" | "john.doe" | "jane.doe" | "janedoe" | "info@")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        assert!(is_tld("com") && is_tld("io") && is_tld("de") && !is_tld("png") && !is_tld("js"));
        assert_eq!(calling_code(b"4420"), Some((2, 9, 10)));
        assert_eq!(calling_code(b"15551234567"), Some((1, 10, 10)));
        assert_eq!(calling_code(b"91987"), Some((2, 7, 10)));
        assert_eq!(calling_code(b"0"), None);
        assert_eq!(iban_length(*b"DE"), Some(22));
        assert_eq!(iban_length(*b"ZZ"), None);
        assert!(is_test_card("4111111111111111"));
        assert!(is_upi_handle("okaxis"));
    }
}
