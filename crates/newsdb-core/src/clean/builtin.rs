//! The built-in rule table, sorted by name (a test checks it).
//!
//! Rules are data: a name, a category, where the rule may fire ([`Scope`]), whether it marks the end
//! of the article, a pattern and an evidence guard (`max_words`). Each pattern carries the wording of
//! the major languages newsdb meets (English, German, French, Spanish, Italian, Portuguese, Dutch,
//! Polish, Russian, Chinese, Japanese) as alternatives, so a rule names one kind of boilerplate whatever the
//! language. Every rule is anchored to the start of the line or carries a low `max_words`: boilerplate
//! lines are short and formulaic, article sentences that talk about cookies, sharing or copyright are
//! not. Lines no rule names are left to the classifier ([`super::classify`]).
//!
//! Changing this table changes [`super::Cleaner::version`], which is recorded with every document, so
//! the next ingest cleans stored documents again.

use super::rule::{Category, Rule, Scope};
use std::borrow::Cow;

/// `rule!(name, Category, Scope, max_words, pattern)`; `ends` after the scope marks an article end.
macro_rules! rule {
    ($name:literal, $category:ident, $scope:ident, $max:literal, $pattern:expr) => {
        rule!(@ $name, $category, $scope, false, $max, $pattern)
    };
    ($name:literal, $category:ident, $scope:ident ends, $max:literal, $pattern:expr) => {
        rule!(@ $name, $category, $scope, true, $max, $pattern)
    };
    (@ $name:literal, $category:ident, $scope:ident, $ends:literal, $max:literal, $pattern:expr) => {
        Rule {
            name: Cow::Borrowed($name),
            category: Category::$category,
            scope: Scope::$scope,
            ends_article: $ends,
            pattern: Cow::Borrowed($pattern),
            max_words: $max,
        }
    };
}

pub const BUILTIN: &[Rule] = &[
    rule!(
        "ad-marker",
        Advertisement,
        Anywhere,
        6,
        concat!(
            r"^(advertisement|advertising|ads?|sponsored( content)?|anzeige|werbung|publicité|pub|",
            r"publicidad|pubblicità|publicidade|reklama|реклама|广告|広告|スポンサーリンク|",
            r"advertentie|gesponsord|contenu sponsorisé|contenido patrocinado|patrocinado|",
            r"contenuto sponsorizzato|conteúdo patrocinado|materiał sponsorowany|materiał partnera|",
            r"artykuł sponsorowany|на правах рекламы|",
            r"(story|article) continues below( this)?( advertisement)?|",
            r"advertisement ?[-–—] ?(story |article )?continues? (reading )?below)[.:]?$"
        )
    ),
    rule!(
        "agency-line",
        Byline,
        Edge,
        4,
        concat!(
            r"^\(?(dpa|afp|ap|reuters|efe|ansa|lusa|pap|tass|xinhua|kyodo|apa|sda|epd|kna|ria novosti)",
            r"( ?[/|,] ?[\p{L}/]+)*\)?[.)–—-]*$"
        )
    ),
    rule!(
        "all-rights-reserved",
        Copyright,
        Anywhere,
        25,
        concat!(
            r"(^|\W)(all rights reserved|alle rechte vorbehalten|tous droits réservés|reproduction interdite|",
            r"todos los derechos reservados|todos os direitos reservados|tutti i diritti riservati|",
            r"riproduzione riservata|wszelkie prawa zastrzeżone|все права защищены|alle rechten voorbehouden)(\W|$)|",
            r"版权所有|無断転載を禁じます|無断転載禁止"
        )
    ),
    rule!(
        "app-prompt",
        AppPrompt,
        Anywhere,
        16,
        concat!(
            r"^(download|get|install) (our|the) (free )?(\S+ )?app(\W|$)|^(open|read|view)( this article)? in (the )?app$|",
            r"^(available|download) on the app store$|^get it on google play$|",
            r"^(laden sie (jetzt )?unsere app|jetzt im app store|jetzt bei google play|hol dir die app|",
            r"téléchargez (notre|l') ?application|disponible sur l'app store|descarga (nuestra |la )?app|",
            r"scarica (la nostra )?app|descarregue a nossa aplicação|baixe (o nosso )?app|",
            r"pobierz (naszą )?aplikację|скачайте (наше )?приложение)(\W|$)|",
            r"^アプリをダウンロード|^下载(客户端|app)|^扫一扫，?用手机看新闻"
        )
    ),
    rule!(
        "article-tools",
        Share,
        Anywhere,
        12,
        concat!(
            r"^(listen to this (article|story)|cite this (article|page)|print this (article|page)|",
            r"republish this (article|story)(\W|$).*|(artikel|beitrag) (anhören|vorlesen|empfehlen|drucken)|",
            r"écouter cet article|escuchar (este artículo|la noticia)|ascolta (questo articolo|l'articolo)|",
            r"ouvir (este artigo|a notícia)|posłuchaj artykułu|прослушать статью)$"
        )
    ),
    rule!(
        "author-bio",
        Byline,
        Anywhere ends,
        6,
        concat!(
            r"^(about the authors?|author bio|über (den autor|die autorin|die autoren)|à propos de l'auteur|",
            r"sobre (el autor|la autora|o autor)|sull'autore|over de auteur|o autorze|об авторе)[.:]?$"
        )
    ),
    rule!(
        "blog-archive",
        Navigation,
        Anywhere,
        6,
        concat!(
            r"^((january|february|march|april|may|june|july|august|september|october|november|december|",
            r"januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|",
            r"juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|",
            r"agosto|septiembre|octubre|noviembre|diciembre)( \d{4})?|\d{4}) \(\d+\)$|",
            r"^(blog archive|archives?|select month|categories|kategorien|catégories|categorías|categorie|",
            r"categorias|categorieën|kategorie|рубрики|site feed|rss|subscribe to:? posts( \(atom\))?|",
            r"subscribe to:? post comments( \(atom\))?|newer posts?|older posts?|",
            r"newer post older post( home)?)$"
        )
    ),
    rule!(
        "browser-prompt",
        AppPrompt,
        Anywhere,
        25,
        concat!(
            r"^your browser is (out of date|not supported|outdated)(\W|$)|^(please )?(update|upgrade) your browser(\W|$)|",
            r"^(please )?enable javascript(\W|$)|^javascript is (disabled|required)(\W|$)|^ihr browser ist veraltet(\W|$)|",
            r"^votre navigateur (est obsolète|n'est plus)(\W|$)|^tu navegador (está desactualizado|no es compatible)(\W|$)|",
            r"^il tuo browser (non è aggiornato|è obsoleto)(\W|$)"
        )
    ),
    rule!(
        "byline-by",
        Byline,
        Edge,
        8,
        concat!(
            r"^(by|von|par|por|di|door|od|author|autor|autorin|автор|text|texte|texto|testo):? ",
            r"(?-i:\p{Lu})[^\s,]*( (?-i:\p{Lu})[^\s,]*)*",
            r"(,.*| (at|in|en|à|a|w|в|and|und|et|y|e|i|и) .*)?$"
        )
    ),
    rule!(
        "byline-contact",
        Byline,
        Edge,
        30,
        concat!(
            r"^(contact|email|e-mail|write to) (the )?(newsroom|reporter|author|editor|us) at(\W|$)|",
            r"(^|\W)(reach|contact|email|follow) (her|him|them|me|the author|the reporter) (at|on|via)(\W|$)|",
            r"^(kontakt|contact|contacto|kontakt do autora)\s*:\s*\S+@"
        )
    ),
    rule!(
        "byline-contributed",
        Byline,
        Anywhere,
        60,
        r"(^|\W)contributed (reporting )?to this (report|story|article)\.?$"
    ),
    rule!(
        "byline-editor",
        Byline,
        Anywhere,
        6,
        r"^(责任编辑|編集|编辑|редактор|redakcja|redaktion|rédaction)\s*[:：]\s*\S"
    ),
    rule!(
        "byline-reporting",
        Byline,
        Anywhere,
        30,
        r"^(additional )?(reporting|writing|editing)( and (writing|editing))? by \S.*$"
    ),
    rule!(
        "byline-source",
        Byline,
        Edge,
        6,
        r"^(source|quelle|fuente|fonte|źródło|источник|来源|出典)\s*[:：]\s*\S"
    ),
    rule!(
        "byline-write-to",
        Byline,
        Anywhere,
        30,
        r"^write to \S.*(^|\W)at(\W|$)"
    ),
    rule!(
        "byline-written",
        Byline,
        Anywhere,
        8,
        concat!(
            r"^(written|posted|published|reviewed|edited|fact[- ]checked|medically reviewed) by:?( \S.*)?$|",
            r"^(geschrieben|verfasst) von:?( \S.*)?$"
        )
    ),
    rule!(
        "call-to-action",
        Navigation,
        Anywhere,
        6,
        concat!(
            r"^(learn more|find out more|get started( for free| now| today)?|apply now|buy now|shop now|",
            r"order now|book now|sign up( now| today| for free)?|submit|view all|see all|see more|show more|",
            r"load more( posts| articles| stories)?|read the review|(check|see) (the )?price( at .+)?|",
            r"view deal|get (the )?deal|(book|get|request|schedule) a demo|start now|download now|",
            r"(buy|shop) (on|at) \S+|check (amazon|price|prices|availability)( \(on sale!\))?|",
            r"mehr erfahren|jetzt kaufen|alle anzeigen|mehr anzeigen|",
            r"en savoir plus|voir plus|voir tout|ver más|ver todo|scopri di più|mostra di più|ver mais|",
            r"meer weten|bekijk alles|dowiedz się więcej|pokaż więcej|подробнее|показать ещё)[.!]?$"
        )
    ),
    rule!(
        "comment-author",
        Comments,
        Edge,
        10,
        r"^[^:]+ (says|said on|schrieb am|a écrit|dice|escribió|scrive|disse|napisał[a]?)( [^:]*)?:$"
    ),
    rule!("comment-count", Comments, Anywhere ends, 4, concat!(
        r"^(\d+ )?(comments?|kommentare?|commentaires?|comentarios?|commenti|comentários|komentarze?|",
        r"комментари(и|ев|й)|评论|コメント|reacties?|leserkommentare|kommentarer)( \(\d+\))?:?$|",
        r"^discussion about this (post|article)$|",
        r"^(ver|voir|show|view|read|afficher|zeige|leggi|ver os|pokaż) (all |tous les |todos los )?(\d+ )?",
        r"(comments?|comentarios|commentaires|kommentare|commenti|comentários|komentarze|reacties)( \(\d+\))?$")),
    rule!("comment-form", Comments, Anywhere ends, 8, concat!(
        r"^(leave a (reply|comment)( cancel reply)?|post a comment|add a comment|cancel reply|submit comment|",
        r"post comment|comment ?\*|name ?\*|e-?mail ?\*|website|kommentar schreiben|kommentar absenden|",
        r"schreiben sie einen kommentar|laisser un commentaire|réagir|deja un comentario|comentar|",
        r"lascia un commento|commenta|deixe um comentário|dodaj komentarz|оставить комментарий|",
        r"(jetzt |artikel )?kommentieren|kommentar verfassen|réagissez|réagir à cet article|commenter|",
        r"comenta (esta noticia|este artículo)|escribe un comentario|scrivi un commento|comente|",
        r"escreva um comentário|skomentuj|napisz komentarz|напишите комментарий|комментировать|",
        r"plaats een reactie|reageer|reageren|schrijf een reactie|",
        r"发表评论|コメントする)[.:]?$")),
    rule!(
        "comment-form-notice",
        Comments,
        Anywhere,
        25,
        concat!(
            r"^(your email address will not be published|required fields are marked|",
            r"ihre e-mail-adresse wird nicht veröffentlicht|votre adresse (e-mail|courriel) ne sera pas publiée|",
            r"tu dirección de correo electrónico no será publicada|il tuo indirizzo email non sarà pubblicato|",
            r"o seu endereço de e-mail não será publicado|je e-mailadres wordt niet gepubliceerd|",
            r"twój adres e-mail nie zostanie opublikowany|ваш адрес email не будет опубликован|",
            r"save my name, email,? and website)(\W|$)"
        )
    ),
    rule!(
        "comment-header",
        Comments,
        Anywhere ends,
        12,
        concat!(
            // "12 Tami November 7, 2012 at 3:04 AM", "Mark Montgomery April 2, 2010 at 6:46 AM",
            // "Anna 7. November 2012 um 15:04": a name, a date and a time, as comment systems print them.
            // No bounded repetition of a Unicode class here: `{1,60}` made the whole set twice as slow.
            r"^(\d+\.? )?[^.!?]*,? (on |said on |am )?(\p{L}+\.? \d{1,2},? \d{4}|\d{1,2}\.? \p{L}+\.? \d{4}|",
            r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}),? ((at|um|à|a las|alle|às|om|o|в|-|\|) )?\d{1,2}[:.h]\d{2}( ?[ap]\.?m\.?)?( uhr)?:?$|",
            r"^\{? ?\d+ comments?(…|\.\.\.)? (read them below|add one).*$"
        )
    ),
    rule!(
        "comment-reply",
        Comments,
        Edge,
        6,
        concat!(
            r"^(reply|reply to this comment|permalink|trackbacks?|pingbacks?|trackback url for this entry:?|",
            r"antworten|répondre|responder|rispondi|odpowiedz|ответить|beantwoorden|回复|返信)$"
        )
    ),
    rule!("comment-thread", Comments, Anywhere ends, 20,
        r"^\d+ (thoughts|responses|replies|comments) (on|to) \S"),
    rule!(
        "conversation-prompt",
        Comments,
        Anywhere,
        40,
        r"(^|\W)join the (conversation|discussion) below\.?$"
    ),
    rule!(
        "cookie-banner",
        Consent,
        Anywhere,
        80,
        concat!(
            r"^(this|our) (web ?site|site) uses cookies(\W|$)|^we (use|are using) cookies(\W|$)|",
            r"^(wir verwenden|wir nutzen|diese (web)?seite verwendet) cookies(\W|$)|",
            r"^(ce site utilise|nous utilisons) (des )?cookies(\W|$)|^(utilizamos|usamos) cookies(\W|$)|",
            r"^este (sitio( web)?|site) (utiliza|usa) cookies(\W|$)|^(questo sito (utilizza|usa)|utilizziamo) (i )?cookie(\W|$)|",
            r"^ta strona (korzysta z|używa) (plików )?cookie|^мы используем (файлы )?cookie|",
            r"^(deze (web)?site|wij) (gebruikt|gebruiken|maakt gebruik van) cookies(\W|$)|",
            r"^(本网站|本站|我们)使用\s*cookie|^当サイトでは\s*cookie|",
            r"(^|\W)by continuing to (browse|use) (this|the|our) (site|website)(\W|$).*(^|\W)cookies?(\W|$)"
        )
    ),
    rule!(
        "cookie-buttons",
        Consent,
        Anywhere,
        4,
        concat!(
            r"^(accept|accept all|accept cookies|allow all|reject all|manage (cookies|preferences)|",
            r"cookie (settings|policy|preferences)|alle akzeptieren|akzeptieren|tout accepter|paramétrer|",
            r"alle ablehnen|ablehnen|alles accepteren|accepteren|weigeren|tout refuser|refuser|",
            r"aceptar|rechazar|configurar|accetta|accetta tutti|rifiuta|aceitar|akceptuję|принять|接受|同意する)$"
        )
    ),
    rule!(
        "copyright-line",
        Copyright,
        Anywhere,
        40,
        r"^(©|\(c\) \d{4}(\W|$)|copyright\s*(©|\(c\))|(©\s*)?copyright\s*\d{4}(\W|$))"
    ),
    rule!(
        "date-line",
        Dateline,
        Edge,
        12,
        concat!(
            // 12.05.2023, 05/09/2023 and 2023-05-12, after at most four words ("Mis à jour le", "Stand:").
            r"^([^\s\d]+ ){0,4}\d{1,4}[./-]\d{1,2}[./-]\d{2,4}([^\d]|$)|",
            // 14 March 2023, Mardi 18 juillet 2023, 15 de maio de 2024, 12 апреля 2023, after at
            // most four words.
            r"^([^\s\d]+ ){0,4}\d{1,2}\.? (de )?[^\s\d]{3,12},? (de |del )?\d{4}([^\d]|$)|",
            // March 14, 2023.
            r"^([^\s\d]+ ){0,3}[^\s\d]{3,9} \d{1,2},? \d{4}([^\d]|$)|",
            r"^\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?"
        )
    ),
    rule!(
        "dateline-agency",
        Dateline,
        Edge,
        8,
        r"\((efe|afp|ap|reuters|dpa|ansa|lusa|pap|europa press)\)[.\s–—-]*$"
    ),
    rule!(
        "follow-us",
        Share,
        Anywhere,
        14,
        concat!(
            r"^(follow us|folgen sie uns|suivez-nous|retrouvez-nous|síguenos|seguici|siga-nos|obserwuj nas|",
            r"следите за нами|подписывайтесь на наш|volg ons)(\W|$)|^关注我们"
        )
    ),
    rule!(
        "form-feedback",
        Newsletter,
        Anywhere,
        16,
        concat!(
            r"^(oops! something went wrong( while submitting the form)?|thank you! your submission has been received|",
            r"thanks? (you )?for (signing up|subscribing)|your comment (has been posted|could not be posted)(\W|$).*|",
            r"verify your comment|previewing your comment|having trouble reading this image\?.*)[.!]?$"
        )
    ),
    rule!(
        "form-field",
        Comments,
        Anywhere,
        3,
        concat!(
            r"^(e-?mail address|full name|your (name|e-?mail)|first name|last name|password|nickname|",
            r"username|phone number|e-?mail-adresse|passwort|adresse e-?mail|mot de passe|",
            r"correo electrónico|contraseña|indirizzo email|e-?mailadres|wachtwoord|hasło|пароль)\s*\*?:?$"
        )
    ),
    rule!(
        "legal-links",
        Copyright,
        Edge,
        4,
        concat!(
            r"^(about us|about|contact us|contact|terms( and conditions| of use| of service)?|privacy( policy| notice)?|",
            r"cookie policy|accessibility|sitemap|site map|impressum|datenschutz(erklärung)?|agb|kontakt|",
            r"mentions légales|politique de confidentialité|nous contacter|plan du site|cgu|cgv|aviso legal|",
            r"política de privacidad|política de cookies|contacto|note legali|privacy|termos de uso|",
            r"política de privacidade|regulamin|polityka prywatności|политика конфиденциальности|контакты|",
            r"privacybeleid|privacyverklaring|algemene voorwaarden|cookiebeleid|cookieverklaring|colofon|",
            r"disclaimer|nutzungsbedingungen|barrierefreiheit|cookie-einstellungen|mediadaten|",
            r"blog at wordpress\.com\.?|powered by \S+)$"
        )
    ),
    rule!(
        "like-widget",
        Share,
        Anywhere,
        6,
        r"^(like this|like|be the first to like this|like loading\.\.\.|loading\.\.\.)[.:]?$"
    ),
    rule!(
        "likes-count",
        Share,
        Anywhere,
        5,
        r"^(%d|\d+) bloggers? likes? this[.:]?$"
    ),
    rule!(
        "menu-words",
        Navigation,
        Edge,
        3,
        concat!(
            r"^(menu|menü|меню|メニュー|菜单|search|suche|rechercher|buscar|cerca|pesquisar|szukaj|поиск|",
            r"home|startseite|accueil|inicio|portada|início|strona główna|главная|首页|ホーム|",
            r"sign in|log in|login|anmelden|se connecter|iniciar sesión|accedi|entrar|zaloguj( się)?|войти|",
            r"zoeken|inloggen|naar boven|terug naar boven|search for:?|",
            r"登录|ログイン|back to top|zurück nach oben|retour en haut|volver arriba|torna su|voltar ao topo)$"
        )
    ),
    rule!(
        "nav-separators",
        Navigation,
        Anywhere,
        20,
        r"^[^.!?|•·»]+( [|•·»>] [^.!?|•·»]+){2,}$"
    ),
    rule!(
        "newsletter-signup",
        Newsletter,
        Anywhere,
        25,
        concat!(
            r"^(sign up|subscribe|register)( now| today| here)? (for|to)( our| the)?( free)?( daily| weekly| morning)? ",
            r"(newsletters?|email|briefing|bulletin)(\W|$)|^(get|receive) (the|our) .*(newsletter|briefing|in your inbox)(\W|$)|",
            r"(^|\W)delivered to your inbox(\W|$)|^newsletter( sign-?up)?$|^enter your e-?mail( address)?$|",
            r"^by subscribing,? you agree(\W|$)|^(newsletter abonnieren|jetzt (kostenlos )?(registrieren|abonnieren)|",
            r"melden sie sich für unseren newsletter an|inscrivez-vous à (notre|la) newsletter|",
            r"abonnez-vous à (notre|la) newsletter|recevez chaque (matin|jour|semaine)|",
            r"suscríbete a (nuestro|la) (boletín|newsletter)|recibe nuestro boletín|iscriviti alla newsletter|",
            r"receba (as notícias|a newsletter|nossa newsletter)|assine (a|nossa) newsletter|",
            r"zapisz się do newslettera|подпишитесь на (нашу )?рассылку|newsletter bestellen|",
            r"zum newsletter anmelden|jetzt (zum )?newsletter anmelden|schrijf je in voor (onze|de) nieuwsbrief|",
            r"meld je aan voor (onze|de) nieuwsbrief|ontvang (onze|de) nieuwsbrief|",
            r"inscrivez-vous à (notre|nos) (lettre|infolettre)|suscríbete a nuestros boletines|",
            r"iscriviti alle nostre newsletter|inscreva-se (na|em nossa) newsletter|",
            r"zapisz się na newsletter|подпишитесь на наш (канал|telegram))(\W|$)|",
            r"^(nieuwsbrief|boletín( de noticias)?|infolettre|lettre d'information|рассылка)$|",
            r"(^|\W)in ihrem postfach\.?$"
        )
    ),
    rule!(
        "pager",
        Navigation,
        Anywhere,
        5,
        concat!(
            r"^(previous|next|prev|(previous|next|prev) (post|article|story|page)|previous ?next|prev ?next|",
            r"« ?(previous|older|prev)( \S+){0,3}|(\S+ ){0,3}(next|newer) ?»|back to (blog|all posts|news|articles)|",
            r"close|toggle|×|✕|←|→|vorheriger artikel|nächster artikel|zurück|weiter|article précédent|",
            r"article suivant|anterior|siguiente|precedente|successivo|próximo|vorige|volgende|poprzedni|",
            r"następny|назад|далее|предыдущая|следующая)$"
        )
    ),
    rule!(
        "paywall",
        Newsletter,
        Anywhere,
        30,
        concat!(
            r"^(subscribe|sign in|log in|register) to (continue|keep) reading(\W|$)|",
            r"^already (a subscriber|have an account|registered)(\W|$)|",
            r"^this (article|content|story) is (only )?(for|available to|reserved for) (subscribers|members)(\W|$)|",
            r"^subscribe now(\W|$)|^get unlimited access(\W|$)|^(start|try) (your )?(free )?trial(\W|$)|",
            r"^(abonnez-vous pour (lire|continuer)|cet article est réservé aux abonnés|déjà abonné|",
            r"vous êtes abonné|offre spéciale|réservé aux abonnés|il vous reste \d+ ?% (de l'article )?à (lire|découvrir))|",
            r"^(suscríbete (para|y) (seguir|continuar) leyendo|¿?ya eres suscriptor|este contenido es exclusivo)|",
            r"^(este conteúdo é exclusivo para assinantes|já é assinante|assine já)|",
            r"^(jetzt abonnieren|weiterlesen mit|sie sind bereits abonnent|dieser artikel ist nur für abonnenten|",
            r"bereits abonniert)|^(abbonati (per|ora)|sei già abbonato|questo articolo è riservato)|",
            r"^(treść dostępna tylko dla|masz już konto|wykup (dostęp|subskrypcję))|",
            r"^(продолжение доступно|оформите подписку|оформить подписку)|",
            r"^(word abonnee|al abonnee|log in om verder te lezen|abonneer (nu|je)|",
            r"dit (artikel|stuk) is (alleen )?(exclusief )?voor abonnees|lees verder met)|",
            r"^(jetzt testen|bereits registriert|exklusiv für abonnenten|artikel freischalten|",
            r"jetzt (einloggen|anmelden) und weiterlesen)(\W|$)|",
            r"^(hazte suscriptor|ya soy suscriptor|accedi per continuare|assine para (continuar|ler)|",
            r"zaloguj się, aby (czytać|przeczytać)|kup dostęp)|",
            r"^(subscribe|abo|abonnieren|s'abonner|suscríbete|abbonati|assine|subskrybuj|abonneren)$"
        )
    ),
    rule!(
        "photo-credit",
        Credit,
        Anywhere,
        12,
        concat!(
            r"^(photo|photograph|image|picture|video|foto|fotografia|fotografía|crédits? photo|bild|",
            r"bildquelle|zdjęcie|фото|写真|图片|photo credit|image credit|credit|beeld)s?( credit)?\s*[:：]\s*\S|",
            r"^fot\. \S"
        )
    ),
    rule!(
        "read-more-prompt",
        Navigation,
        Anywhere,
        20,
        concat!(
            r"^click here (to|for) (read|see|view|more)(\W|$)|",
            r"^(continue reading|weiterlesen|lire la suite|seguir leyendo|continua a leggere|continuar lendo|",
            r"czytaj dalej|lees verder|читать дальше)(\W|$)"
        )
    ),
    rule!(
        "reading-time",
        Dateline,
        Edge,
        6,
        concat!(
            r"^(\d+ min(ute)?s? read|lesezeit:? \d+ min\.?|temps de lecture:? \d+ min|",
            r"tiempo de lectura:? \d+ min|\d+ min(utos|uti)? de lectura|lettura:? \d+ min|",
            r"czas czytania:? \d+ min|\d+ мин(ут[аы]?)? чтения|leestijd:? \d+ min(uten)?|\d+ min(uten)? leestijd|",
            r"\d+ min(uten)? lesezeit)\.?$"
        )
    ),
    rule!("related-heading", Navigation, Anywhere ends, 6, concat!(
        r"^(related( articles| stories| topics| content| coverage| news)?|more on this story|",
        r"more (from|in|on) .+|more stories|more news|read more|read next|you (might|may) also like|",
        r"recommended( for you| stories)?|most (read|popular|viewed|shared)|trending( now)?|top stories|",
        r"latest news|also read|see also|mehr zum thema.*|lesen sie auch|auch interessant|",
        r"das könnte sie auch interessieren|meistgelesen|lire aussi|à lire aussi|sur le même sujet|",
        r"les plus lus|noticias relacionadas|te puede interesar|lo más leído|leer más|leggi anche|",
        r"ti potrebbe interessare( anche)?|i più letti|leia também|veja também|mais lidas|czytaj także|",
        r"czytaj więcej|zobacz też|najczęściej czytane|читайте также|читать далее|популярное|по теме|",
        r"(latest|popular|recent|related|similar|featured|trending|top|more) (stories|articles|posts|news|reads)|",
        r"popular now|editor's picks|more like this|you (might|may) like( to read)?|",
        r"related posts|similar (articles|stories)|recent posts|what to read next|up next|further reading|",
        r"weitere (artikel|nachrichten|meldungen|beiträge|themen|news)( \S+){0,3}|mehr (artikel|nachrichten|news|beiträge)( \S+){0,3}|",
        r"mehr aus( \S+){1,3}|(die )?neueste(n)? (artikel|nachrichten|beiträge|meldungen)|aktuelle (nachrichten|meldungen|artikel)|",
        r"ähnliche (artikel|beiträge|themen)|verwandte (artikel|themen|beiträge)|empfohlene artikel|beliebte (artikel|beiträge)|",
        r"top-?(themen|artikel|news)|zum thema|passend zum thema|das könnte sie (auch )?interessieren|auch lesenswert|",
        r"meistgelesene (artikel|nachrichten)|am meisten gelesen|letzte (meldungen|beiträge)|unsere empfehlungen|",
        r"andere leser interessierten sich auch für|ebenfalls interessant|",
        r"articles (liés|similaires|récents)|à lire (également|aussi)|lire également|dans la même rubrique|",
        r"les plus (populaires|partagés|commentés)|(les )?dernières (actualités|nouvelles|infos)|nos dernières actualités|",
        r"à découvrir( aussi)?|voir aussi|vous aimerez aussi|sur le même thème|plus d'actualités|",
        r"ces articles peuvent vous intéresser|",
        r"más noticias|últimas noticias|lo más visto|(las |los )?más leíd[ao]s|artículos relacionados|",
        r"también te puede interesar|(le|te) podría interesar|contenido relacionado|te recomendamos|otras noticias|",
        r"articoli correlati|potrebbe interessarti|potrebbero interessarti|ultime notizie|(i )?più (visti|popolari)|",
        r"altre notizie|notizie correlate|da non perdere|ti consigliamo|",
        r"notícias relacionadas|últimas notícias|(as )?mais (lidas|vistas)|artigos relacionados|",
        r"você (também )?pode gostar|pode (também )?(lhe )?interessar|outras notícias|mais notícias|",
        r"gerelateerde (artikelen|berichten)|lees ook|lees meer|meer nieuws|meest gelezen|laatste nieuws|",
        r"ook interessant|meer over dit onderwerp|bekijk ook|aanbevolen|het laatste nieuws|",
        r"powiązane (artykuły|tematy)|zobacz (także|również)|czytaj (też|również)|najnowsze( artykuły| wiadomości)?|",
        r"najpopularniejsze|polecane( artykuły)?|przeczytaj (też|także|również)|może cię zainteresować|",
        r"похожие (новости|статьи|материалы)|новости по теме|материалы по теме|последние новости|",
        r"самое (читаемое|популярное)|читайте ещё|смотрите также|ещё по теме|другие новости|",
        r"相关新闻|相关阅读|热门文章|関連記事|人気記事)[.:]?$")),
    rule!(
        "related-link",
        Navigation,
        Anywhere,
        25,
        concat!(
            r"^(related|read more|more|see also|also read|watch|listen|lesen sie auch|lire aussi|leer más|",
            r"leggi anche|leia também|czytaj (też|także)|читайте также|смотрите также|lees ook|lees meer|",
            r"bekijk ook|auch interessant|mehr zum thema|à lire (aussi|également)|voir aussi|lee también|",
            r"te puede interesar|vedi anche|leia mais|veja também|saiba mais|zobacz (też|także)|",
            r"przeczytaj (też|także)|по теме)\s*[:：]\s*\S"
        )
    ),
    rule!(
        "relative-time",
        Dateline,
        Edge,
        6,
        concat!(
            r"^((\d+|an?|one) (hours?|minutes?|mins?|days?|weeks?) ago|vor \d+ (stunden?|minuten?|tagen?)|",
            r"il y a \d+ (heures?|minutes?|jours?)|hace \d+ (horas?|minutos?|días?)|\d+ (ore|minuti|giorni) fa|",
            r"há \d+ (horas?|minutos?|dias?)|\d+ (godzin[ay]?|minut[y]?|dni) temu|",
            r"\d+ (час(а|ов)?|минут[аы]?|дн(я|ей)) назад|\d+ (uur|minuten?|dagen?) geleden)$|",
            r"^\d+\s*(小时|分钟|天|時間|分|日)前$"
        )
    ),
    rule!(
        "share-widget",
        Share,
        Anywhere,
        12,
        concat!(
            r"^(share|share this( article| story| page| post)?|email this|blogthis!|share to (twitter|facebook|pinterest|x)|share on (facebook|twitter|x|linkedin|whatsapp|email)|",
            r"share (by|via) e-?mail|tweet|e-?mail|print|save|copy link|teilen|artikel teilen|teilen auf \S+|",
            r"twittern|drucken|partager|partager sur \S+|envoyer par e-?mail|compartir|compartir en \S+|",
            r"enviar por (e-?mail|correo)|",
            r"condividi|condividi su \S+|compartilhe( no \S+)?|compartilhar|partilhar|udostępnij( na \S+)?|",
            r"поделиться( в| во)?( \S+)?|分享到[：:]?\S*|シェア|ツイート|この記事をシェアする|",
            r"deel( dit artikel| via \S+| op \S+)?|delen|beitrag teilen|seite teilen|link kopieren|",
            r"per e-?mail (teilen|versenden)|auf \S+ teilen|jetzt teilen|partager cet article|copier le lien|",
            r"imprimer|compartir (esta noticia|este artículo)|copiar (enlace|link)|imprimir|",
            r"condividi (questo articolo|l'articolo)|copia (il )?link|stampa|compartilhe (esta notícia|este artigo)|",
            r"partilhe( este artigo)?|udostępnij (artykuł|ten artykuł)|kopiuj link|drukuj|скопировать ссылку|",
            r"распечатать|поделиться (статьей|новостью))[.:]?$|",
            r"^click to (share|email|print)(\W|$)|^email this ?blogthis!|^digg this( \|.*)?$"
        )
    ),
    rule!(
        "skip-link",
        Navigation,
        Anywhere,
        6,
        concat!(
            r"^(skip to (main )?(content|navigation|main content)|accessibility links|zum inhalt springen|",
            r"aller au contenu( principal)?|saltar al contenido( principal)?|vai al contenuto( principale)?|",
            r"ir para o conteúdo( principal)?|przejdź do (treści|zawartości)|",
            r"перейти к (основному )?содержанию|zum hauptinhalt( springen)?|zur navigation( springen)?|",
            r"direkt zum inhalt|naar de inhoud|ga naar (de )?(hoofd)?inhoud|跳到主要内容|本文へスキップ)$"
        )
    ),
    rule!(
        "social-buttons",
        Share,
        Edge,
        2,
        concat!(
            r"^(facebook|twitter|x|instagram|pinterest|linkedin|whatsapp|telegram|youtube|tiktok|reddit|",
            r"flipboard|вконтакте|微信|微博)$"
        )
    ),
    rule!(
        "table-of-contents",
        Navigation,
        Anywhere,
        5,
        concat!(
            r"^(table of contents|contents|in this article|on this page|jump to( \S+)?|inhaltsverzeichnis|",
            r"sommaire|table des matières|índice|tabla de contenidos?|indice|sommario|conteúdo|",
            r"inhoudsopgave|spis treści|содержание|оглавление|目次|目录)( \[?(show|hide|toggle)\]?)?:?$"
        )
    ),
    rule!(
        "tags-line",
        Navigation,
        Anywhere,
        30,
        concat!(
            r"^(tags|topics|themen|schlagworte|mots-clés|sujets|etiquetas|archivado en|temas|argomenti|tag|",
            r"tematy|теги|темы|onderwerpen|stichwörter|标签|タグ)\s*[:：]\s*\S|",
            r"^(tags|tagged|topics|labels|themen|schlagworte|etiquetas|tag|tagi|теги)\s*[:：]?$"
        )
    ),
    rule!(
        "time-field",
        Dateline,
        Edge,
        6,
        concat!(
            r"^[^:\d]+:\s*\d+\s*(min|mins|minutes?|minuti|minutos|minuten|minuty|минут[аы]?|",
            r"h|hours?|heures?|horas?|ore|stunden?|godzin[ay]?|час(а|ов)?)\.?$"
        )
    ),
];

/// Every line the rules' examples name or keep (tests of the matchers).
#[cfg(test)]
pub(super) fn example_lines() -> impl Iterator<Item = &'static str> {
    tests::EXAMPLES
        .iter()
        .flat_map(|(_, remove, keep)| [*remove, *keep])
}

#[cfg(test)]
mod tests {
    use super::super::{Cleaner, REPEATED_LINE_RULE};
    use super::*;

    /// `\b` is a look-around the regex crate's fast automata cannot run on non-ASCII text: one in
    /// the set made cleaning 200 times slower. `(^|\W)` and `(\W|$)` say the same for a match test.
    #[test]
    fn patterns_run_on_the_fast_automata() {
        for rule in BUILTIN {
            assert!(!rule.pattern.contains("\\b"), "{} uses \\b", rule.name);
        }
    }

    #[test]
    fn names_are_sorted_and_unique() {
        for pair in BUILTIN.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must sort before {}",
                pair[0].name,
                pair[1].name
            );
        }
        assert!(BUILTIN.iter().all(|r| r.name != REPEATED_LINE_RULE));
    }

    /// (rule, a line it must name, a line that talks about the same thing and no rule may name).
    pub(super) const EXAMPLES: &[(&str, &str, &str)] = &[
        ("ad-marker", "Advertisement", "Advertisement revenue fell by a fifth last year."),
        ("agency-line", "dpa/lnw", "DPA reported the figures on Monday."),
        ("all-rights-reserved", "© The Times. All rights reserved.",
         "The publisher said all rights reserved by the estate would be sold at auction next year, ending a long dispute over the letters and the rights to publish them in any form."),
        ("app-prompt", "Download our app for the latest news",
         "Downloads of the app doubled after the update, the company said."),
        ("browser-prompt", "Your browser is out of date. Please update your browser.",
         "The browser maker said the update fixes three security flaws."),
        ("byline-by", "By Margaret Ellison, Local Democracy Reporter", "By the end of the week the river had fallen."),
        ("byline-contact", "Contact the newsroom at news@example.com",
         "Contact between the two sides was broken off in May."),
        ("byline-contributed", "Robert Burns in Washington and Yuras Karmanau in Kyiv contributed to this report.",
         "Reporters from three papers contributed to the investigation."),
        ("byline-editor", "责任编辑：王明", "The editor said the paper would appeal."),
        ("byline-reporting", "Reporting by Daniel Shaw; Editing by Claire Hughes",
         "Reporting of the scandal began in 2019, when a source came forward."),
        ("byline-source", "Quelle: dpa/lnw", "Sources close to the minister said she would resign."),
        ("byline-write-to", "Write to William Mauldin at and Ann M. Simmons at",
         "Write to your representative, the campaign urged."),
        ("comment-author", "Margaret says:", "The minister says the plan will go ahead."),
        ("comment-count", "12 Comments", "Comments from the minister drew criticism."),
        ("comment-form", "Post a Comment", "Readers may post a comment on the ministry's website until Friday."),
        ("comment-form-notice", "Your email address will not be published. Required fields are marked *",
         "The agency said your email address will not be published in the registry."),
        ("comment-reply", "Reply", "Reply cards were sent to every household."),
        ("comment-header", "2 Dawn Camp November 7, 2012 at 6:57 AM",
         "The council met on November 7, 2012 at 6:57 AM and voted to close the library."),
        ("comment-thread", "7 thoughts on “Why my tomatoes split this year”",
         "Seven thoughts on the budget from our economics editor follow below, in no particular order."),
        ("conversation-prompt", "What do you think? Join the conversation below.",
         "Protesters were invited to join the conversation at the town hall."),
        ("cookie-banner", "This website uses cookies to improve your experience. Accept Read More",
         "The regulator found that the website uses cookies to track visitors without consent."),
        ("cookie-buttons", "Accept all", "Accept the offer, the union told its members."),
        ("copyright-line", "Copyright © 2022 Dow Jones & Company, Inc.",
         "Copyright law in 2022 was changed to cover news snippets."),
        ("byline-written", "Written by", "Written by hand, the letter ran to twelve pages."),
        ("date-line", "Published 14 March 2023, 18:42 GMT", "On 14 March 2023 the council voted to close the library, ending a century of lending."),
        ("dateline-agency", "Madrid, 5 nov (EFE).-", "Madrid won the vote after a long campaign (and a recount)."),
        ("follow-us", "Follow us on Instagram", "Followers of the account rose to two million."),
        ("legal-links", "Privacy policy", "The privacy policy was changed in May without notice to users."),
        ("article-tools", "Listen to this article", "Listening to the article's author, the judge frowned."),
        ("like-widget", "Like this:", "Like this year's talks, the meeting ended without agreement."),
        ("likes-count", "%d bloggers like this:", "Two bloggers liked this idea."),
        ("menu-words", "Menu", "The menu at the school canteen changed this week."),
        ("nav-separators", "Home | News | Politics | Business", "The vote was close: 9 to 6, with two abstentions."),
        ("newsletter-signup", "Sign up for our newsletter",
         "Newsletters, by contrast, are growing: one in six people subscribe to one."),
        ("paywall", "Subscribe to continue reading",
         "Subscriptions to the new flexible ticket have been slow elsewhere."),
        ("photo-credit", "Photo: handout / Agence France-Presse / Getty Images",
         "Photos of the convoy were shared widely on social media, officials said."),
        ("reading-time", "4 min read", "Reading time at schools will rise to an hour a day."),
        ("read-more-prompt", "Click here to read more stories about farming",
         "Readers clicked on the story more than any other this year."),
        ("related-heading", "Related articles", "Related companies were also fined by the regulator."),
        ("related-link", "Read more: How to stop websites tracking you",
         "Read the full report, the minister told members of parliament."),
        ("relative-time", "3 hours ago", "Three hours ago the river was still rising, the mayor said."),
        ("share-widget", "Share this:", "Share prices fell sharply on Tuesday."),
        ("skip-link", "Skip to main content", "Skipping the main course saves money, the survey found."),
        ("social-buttons", "Facebook", "Facebook said it would appeal the ruling."),
        ("time-field", "Tempo di preparazione: 40 minuti", "Time: the government's plan at 40 minutes past."),
        ("tags-line", "Tags: batteries, smartphones, startups", "Tagging of birds began in 1990."),
        ("author-bio", "About the author", "About the author of the letter, little is known."),
        ("blog-archive", "September (12)", "September 12 was the day the council met."),
        ("call-to-action", "Learn more", "Learn more about the council at its website, officials said."),
        ("form-feedback", "Oops! Something went wrong while submitting the form.",
         "Something went wrong with the form, the clerk admitted."),
        ("form-field", "Email address", "The email address of the council was published."),
        ("pager", "Previous article", "The previous article in this series covered the budget."),
        ("table-of-contents", "Table of Contents", "The table of contents lists twelve chapters."),
    ];

    #[test]
    fn every_rule_has_a_removal_and_a_keep_example() {
        let cleaner = Cleaner::builtin();
        for rule in BUILTIN {
            let (_, remove, keep) = EXAMPLES
                .iter()
                .find(|(name, _, _)| *name == rule.name)
                .unwrap_or_else(|| panic!("rule {} has no example", rule.name));
            assert_eq!(cleaner.rule_for(remove), Some(&*rule.name), "{remove:?}");
            assert_eq!(cleaner.rule_for(keep), None, "{keep:?}");
        }
    }

    #[test]
    fn rules_speak_many_languages() {
        let cleaner = Cleaner::builtin();
        for (line, rule) in [
            (
                "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.",
                "cookie-banner",
            ),
            (
                "Ce site utilise des cookies pour améliorer votre expérience.",
                "cookie-banner",
            ),
            ("Partager sur Facebook", "share-widget"),
            ("Compartir en WhatsApp", "share-widget"),
            ("Поделиться ВКонтакте", "share-widget"),
            ("分享到微信", "share-widget"),
            ("Von Katrin Vogel", "byline-by"),
            ("12.05.2023, 16:45 Uhr", "date-line"),
            ("2023年04月18日 09:30", "date-line"),
            ("Leggi anche", "related-heading"),
            ("Czytaj także", "related-heading"),
            ("Weitere Artikel", "related-heading"),
            ("Das könnte Sie auch interessieren", "related-heading"),
            ("Mehr aus Berlin", "related-heading"),
            ("À lire également", "related-heading"),
            ("Últimas noticias", "related-heading"),
            ("Articoli correlati", "related-heading"),
            ("Notícias relacionadas", "related-heading"),
            ("Lees ook", "related-heading"),
            ("Meest gelezen", "related-heading"),
            ("Powiązane artykuły", "related-heading"),
            ("Похожие новости", "related-heading"),
            ("Schrijf je in voor onze nieuwsbrief", "newsletter-signup"),
            ("Newsletter bestellen", "newsletter-signup"),
            ("Word abonnee", "paywall"),
            ("Jetzt testen", "paywall"),
            ("Jetzt kommentieren", "comment-form"),
            ("Plaats een reactie", "comment-form"),
            ("12 reacties", "comment-count"),
            ("Leserkommentare", "comment-count"),
            ("Deel dit artikel", "share-widget"),
            ("Link kopieren", "share-widget"),
            ("Compartir esta noticia", "share-widget"),
            ("Udostępnij artykuł", "share-widget"),
            ("Скопировать ссылку", "share-widget"),
            ("Advertentie", "ad-marker"),
            ("Alle rechten voorbehouden", "all-rights-reserved"),
            (
                "Deze website maakt gebruik van cookies om uw ervaring te verbeteren.",
                "cookie-banner",
            ),
            ("Beeld: ANP", "photo-credit"),
            ("3 uur geleden", "relative-time"),
            ("Wszelkie prawa zastrzeżone", "all-rights-reserved"),
            ("Fot. Shutterstock", "photo-credit"),
            ("写真：市民新聞社", "photo-credit"),
            ("Publicité", "ad-marker"),
            ("Реклама", "ad-marker"),
            (
                "Cet article est réservé aux abonnés. Il vous reste 60% à découvrir.",
                "paywall",
            ),
        ] {
            assert_eq!(cleaner.rule_for(line), Some(rule), "{line:?}");
        }
    }
}
