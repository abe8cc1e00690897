package i18n

import (
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The glossary (docs/glossary.md) chooses one translation for each of the
// product's key terms in each language. glossaryRules are the words it
// turns away: a message using one fails TestEveryLanguageUsesTheGlossary and the failure
// names the word to use instead. Russian's «аккаунт» / «учётная запись»
// rule lives in ru_terms_test.go.
type glossaryRule struct {
	lang      string
	forbidden string   // RE2, matched against the message with its {{…}} actions removed
	preferred string   // what the glossary says instead
	keys      []string // message ID prefixes the rule applies to; none: every message
	except    []string // message IDs where the word is right (another sense)
	example   string   // a sentence the rule must catch, so a broken pattern is noticed
}

// w wraps alternatives in word boundaries that work for any script (RE2's \b
// knows only ASCII letters).
func w(alt string) string {
	return `(?:^|[^\p{L}\p{N}_])(?:` + alt + `)(?:[^\p{L}\p{N}_]|$)`
}

// Keys about access requests, grants and impersonation.
var accessKeys = []string{"access", "partner.access", "mail.access", "audit.action.access", "access_customer", "zone.", "impersonation.", "devmail.kind.access", "role.access", "partner.console.access", "partner.console.hidden", "dashboard.grants", "dashboard.requests", "dashboard.prequests", "account.audit.value.state", "settings.readonly_partner", "switcher.intro"}

var glossaryRules = []glossaryRule{
	// German: Sie-form, Konto, Inhaber, Zugriff, gewähren/ablehnen, Freigabe, Identitätswechsel.
	{lang: "de", forbidden: w(`(?i)du|dich|dir|dein|deine|deinen|deinem|deiner|deines`), preferred: "Sie-Form (Sie, Ihr)", example: "Melde dich an, wenn du willst."},
	{lang: "de", forbidden: w(`Accounts?`), preferred: "Konto", example: "Ihr Account ist aktiv."},
	{lang: "de", forbidden: w(`(?i)owner|eigentümer|besitzer`), preferred: "Inhaber (Kontoinhaber)", example: "Der Owner des Kontos"},
	{lang: "de", forbidden: `Tenant-ID|Tenant ID`, preferred: "Mandanten-ID", example: "Name oder Tenant-ID"},
	{lang: "de", forbidden: `(?i)zugang`, preferred: "Zugriff (Website-Zugriff, Zugriff auf das Portal)", example: "kein Zugang zum Portal"},
	{lang: "de", forbidden: `(?i)genehmig`, preferred: "gewähren (eine Anfrage, Zugriff)", keys: accessKeys, example: "Zugriff genehmigen"},
	{lang: "de", forbidden: `(?i)verweiger`, preferred: "ablehnen (eine Anfrage)", keys: accessKeys, example: "Zugriffsanfrage verweigert"},
	{lang: "de", forbidden: `(?i)vertret|in seine identität`, preferred: "Identitätswechsel", example: "während sie ihn vertreten"},
	{lang: "de", forbidden: `(?i)partnermitarbeiter|partner-mitarbeiter`, preferred: "Mitarbeitende des Partners", example: "Partner-Mitarbeiter · X"},
	{lang: "de", forbidden: `Partneradministrator`, preferred: "Partner-Administrator", example: "Partneradministratoren können"},
	{lang: "de", forbidden: `(?i)audit-log|auditprotokoll|prüfprotokoll`, preferred: "Audit-Protokoll", example: "im Audit-Log"},
	{lang: "de", forbidden: w(`(?i)sessions?`), preferred: "Sitzung", example: "Aktive Sessions"},
	{lang: "de", forbidden: `(?i)einlogg|auslogg|` + w(`(?i)log-?in|log-?out`), preferred: "anmelden / abmelden (Anmeldung)", example: "Zum Login"},
	{lang: "de", forbidden: `(?i)recovery|backup-code|notfallcode`, preferred: "Wiederherstellungscode", example: "Recovery-Code"},
	{lang: "de", forbidden: w(`2FA`) + `|(?i)zwei-?schritt|zweistufig`, preferred: "Zwei-Faktor-Authentifizierung", example: "2FA einschalten"},
	{lang: "de", forbidden: w(`(?i)reiter|tab`), preferred: "Registerkarte", example: "Zum Reiter Benutzer"},
	{lang: "de", forbidden: `(?i)lizenziert`, preferred: "lizenzpflichtig", example: "eine lizenzierte Rolle"},
	{lang: "de", forbidden: `Analytics`, preferred: "Analyse (Analyse-Supervisor)", example: "Live-Analytics-Supervisor"},
	{lang: "de", forbidden: `(?i)erneuer`, preferred: "neu generieren (a token's secret)", keys: []string{"token.", "audit.action.token"}, example: "API-Token erneuert"},
	{lang: "de", forbidden: `Basisbenutzer`, preferred: "Basis-Benutzer", example: "die Basisbenutzer-Rolle"},

	// French: vous-form, compte, propriétaire, accès accordé (not autorisation), emprunt d'identité, jeton.
	{lang: "fr", forbidden: w(`(?i)tu|te|toi|ton|ta|tes`), preferred: "vouvoiement (vous, votre)", example: "Connecte-toi avec ton mot de passe."},
	{lang: "fr", forbidden: w(`(?i)tenant`) + `|ID du locataire`, preferred: "ID de locataire", example: "l'ID de tenant"},
	{lang: "fr", forbidden: `(?i)autorisation`, preferred: "accès (accordé, en cours) for a grant; autorisation only means a permission",
		except: []string{"profile.rights.owner_note", "onboarding.admin.owner_hint", "rule.owner_immutable.role", "error.403.message", "role.group.permission"}, example: "Votre autorisation pour X"},
	{lang: "fr", forbidden: `(?i)représent|usurp|incarn|se faire passer`, preferred: "emprunt d'identité / emprunter l'identité", example: "en le représentant"},
	{lang: "fr", forbidden: `mode (?:assistance|configuration|support)`, preferred: "mode Assistance / mode Configuration", example: "en mode assistance"},
	{lang: "fr", forbidden: w(`(?i)tokens?`), preferred: "jeton", example: "Créer un token"},
	{lang: "fr", forbidden: `(?i)titulaire du compte|détenteur du compte|` + w(`(?i)owner`), preferred: "propriétaire du compte", example: "le titulaire du compte"},
	{lang: "fr", forbidden: `(?i)code de secours|code de sauvegarde`, preferred: "code de récupération", example: "un code de secours"},
	{lang: "fr", forbidden: `(?i)double authentification|deux étapes|` + w(`2FA`), preferred: "authentification à deux facteurs", example: "la double authentification"},
	{lang: "fr", forbidden: `(?i)journal des événements|log d'audit|registre d'audit`, preferred: "journal d'audit", example: "le log d'audit"},
	{lang: "fr", forbidden: `(?i)accès au site(?:$|[^ ]| [^w])`, preferred: "Accès au site web (the role's name)", example: "Accès au site (customer.user)"},
	{lang: "fr", forbidden: `(?i)sous licence`, preferred: "soumis à licence", example: "un rôle sous licence"},
	{lang: "fr", forbidden: `administrateurs? du partenaire`, preferred: "administrateur partenaire (the role's name)", example: "Les administrateurs du partenaire"},
	{lang: "fr", forbidden: `(?i)renouvel`, preferred: "régénérer (a token's secret)", keys: []string{"token.", "audit.action.token"}, example: "Jeton d'API renouvelé"},
	{lang: "fr", forbidden: ` [:;?!»]|« `, preferred: "a no-break space (U+00A0) before : ; ? ! » and after «", example: "Erreur : réessayez"},

	// Portuguese (pt-BR): você, usuário, conta, proprietário, concessão, personificar.
	{lang: "pt", forbidden: w(`(?i)utilizador(?:es)?|ficheiros?|registo|ecrã|telemóvel|palavra-passe|equipa|contacto|aceder`), preferred: "pt-BR (usuário, arquivo, registro, tela, celular, senha, equipe, contato, acessar)", example: "O utilizador abriu o ficheiro."},
	{lang: "pt", forbidden: w(`(?i)tu|te|teu|tua|teus|tuas|contigo|vós`), preferred: "você (seu, sua)", example: "Entra com a tua senha."},
	{lang: "pt", forbidden: `(?i)autoriza`, preferred: "concessão (conceder)", keys: accessKeys, example: "Sua autorização para X"},
	{lang: "pt", forbidden: `(?i)represent|imperson`, preferred: "personificação / personificar", example: "ao representá-lo"},
	{lang: "pt", forbidden: `(?i)recus`, preferred: "negar (a request)", keys: accessKeys, example: "a concede ou recusa"},
	{lang: "pt", forbidden: `(?i)log de auditoria|registo de auditoria|trilha de auditoria`, preferred: "registro de auditoria", example: "no log de auditoria"},
	{lang: "pt", forbidden: w(`(?i)tenant`) + `|ID do locatário`, preferred: "ID de locatário", example: "ID do tenant"},
	{lang: "pt", forbidden: `(?i)administrador(?:es)? de parceiro`, preferred: "administrador do parceiro (the role's name)", example: "seus administradores de parceiro"},
	{lang: "pt", forbidden: `modo de (?:suporte|configuração)`, preferred: "modo Suporte / modo Configuração", example: "no modo de suporte"},
	{lang: "pt", forbidden: w(`(?i)logout|fazer login|deslogar|logar`), preferred: "entrar / sair (login as the noun)", example: "Logout efetuado"},
	{lang: "pt", forbidden: w(`(?i)guia|separador`), preferred: "aba", example: "na guia Dispositivos"},
	{lang: "pt", forbidden: `(?i)dono da conta|titular da conta|` + w(`(?i)owner`), preferred: "proprietário da conta", example: "o dono da conta"},
	{lang: "pt", forbidden: `(?i)código de backup|código reserva|dois factores|` + w(`2FA`), preferred: "código de recuperação, autenticação de dois fatores", example: "um código de backup"},
	{lang: "pt", forbidden: `(?i)renovad`, preferred: "regenerar (a token's secret)", keys: []string{"token.", "audit.action.token"}, example: "Token de API renovado"},

	// Russian: вы, аккаунт (the tenant) — see ru_terms_test.go for учётная запись — владелец, доступ, имперсонация.
	{lang: "ru", forbidden: w(`(?i)ты|тебя|тебе|тобой|твой|твоя|твоё|твои|твоего|твоей`), preferred: "обращение на «вы»", example: "Войди в свой аккаунт, если ты владелец."},
	{lang: "ru", forbidden: `[\p{L},;:] (?:Вы|Вас|Вам|Вами|Ваш\p{L}*)(?:[^\p{L}]|$)`, preferred: "«вы», «ваш» in lower case inside a sentence", example: "Если Вы забыли пароль"},
	{lang: "ru", forbidden: `(?i)арендатор|тенант`, preferred: "ID аккаунта", example: "ID арендатора"},
	{lang: "ru", forbidden: `(?i)референс`, preferred: "внешний идентификатор", example: "по названию или референсу"},
	{lang: "ru", forbidden: `(?i)разрешени`, preferred: "доступ (for a grant), права (for permissions)", example: "Ваше разрешение для аккаунта"},
	{lang: "ru", forbidden: `(?i)олицетвор|` + w(`(?i)вход от имени|войти от имени`), preferred: "имперсонация", example: "Войти от имени клиента"},
	{lang: "ru", forbidden: `(?i)режим\p{L}* (?:поддержки|настройки)`, preferred: "режим «Поддержка» / режим «Настройка»", example: "в режиме поддержки"},
	{lang: "ru", forbidden: `(?i)сесси`, preferred: "сеанс", example: "Активные сессии"},
	{lang: "ru", forbidden: `(?i)учетн|` + w(`(?i)еще`), preferred: "ё: учётная запись, ещё", example: "учетная запись"},
	{lang: "ru", forbidden: `(?i)e-?mail|эл\. почта|имейл|мейл`, preferred: "электронная почта / адрес электронной почты",
		except: []string{"import.format.intro", "import.error.no_header", "import.error.unknown_column"}, example: "Укажите email"},
	{lang: "ru", forbidden: `(?i)логин|залогин|разлогин|` + w(`2FA`) + `|двухэтапн`, preferred: "вход / войти; двухфакторная аутентификация", example: "Неверный логин"},
	{lang: "ru", forbidden: `(?i)резервн\p{L}* код|код\p{L}* доступа`, preferred: "код восстановления", example: "резервный код"},
	{lang: "ru", forbidden: `(?i)собственник|хозяин`, preferred: "владелец аккаунта", example: "Собственник аккаунта"},
	{lang: "ru", forbidden: `(?i)токен\p{L}* замен|замен\p{L}* токен`, preferred: "перевыпустить (a token's secret)", keys: []string{"token.", "audit.action.token"}, example: "API-токен заменён"},
	{lang: "ru", forbidden: `(?i)доступ\p{L}* к сайту`, preferred: "«Доступ к порталу» (the role's name)", example: "нет доступа к сайту"},
	{lang: "ru", forbidden: `(?i)основн\p{L}* пользовател`, preferred: "базовый пользователь (the role's name)", example: "роль основного пользователя"},
	{lang: "ru", forbidden: `(?i)оператор\p{L}* (?:колл|ACD)`, preferred: "агент колл-центра (the add-on «Агент»)", example: "Оператор колл-центра"},
	{lang: "ru", forbidden: `(?i)тарифицируем`, preferred: "платные позиции", example: "тарифицируемые позиции"},
	{lang: "ru", forbidden: `(?i)отозвать запрос|отзовите запрос|запрос\p{L}* (?:[\p{L}{}.«» ]+ )?отозван|отозвал\p{L}* (?:этот )?запрос`, preferred: "отменить запрос (withdraw); отозвать доступ (revoke)", example: "Партнёр отозвал этот запрос"},
}

// placeholderStrip removes go-i18n template actions before matching words.
var placeholderStrip = regexp.MustCompile(`{{[^}]*}}`)

// TestEveryLanguageUsesTheGlossary fails when a message uses a word the glossary turns away.
func TestEveryLanguageUsesTheGlossary(t *testing.T) {
	for _, r := range glossaryRules {
		re, err := regexp.Compile(r.forbidden)
		if err != nil {
			t.Fatalf("%s %q: %v", r.lang, r.forbidden, err)
		}
		if !re.MatchString(r.example) {
			t.Errorf("%s rule %q does not catch its own example %q", r.lang, r.forbidden, r.example)
		}
	}
	for _, lang := range []string{"de", "fr", "pt", "ru"} {
		msgs := localeMessages(t, lang)
		if len(msgs) < 1000 {
			t.Fatalf("%s: only %d messages read", lang, len(msgs))
		}
		for _, r := range glossaryRules {
			if r.lang != lang {
				continue
			}
			re := regexp.MustCompile(r.forbidden)
			for _, id := range sortedIDs(msgs) {
				if !ruleApplies(r, id) {
					continue
				}
				for form, text := range msgs[id] {
					if m := re.FindString(placeholderStrip.ReplaceAllString(text, " ")); m != "" {
						t.Errorf("%s %s%s uses %q; the glossary says %s: %q", lang, id, formSuffix(form), strings.TrimSpace(m), r.preferred, text)
					}
				}
			}
		}
	}
}

func ruleApplies(r glossaryRule, id string) bool {
	for _, e := range r.except {
		if id == e {
			return false
		}
	}
	if len(r.keys) == 0 {
		return true
	}
	for _, p := range r.keys {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// pluralForms are the CLDR plural categories go-i18n asks each language for
// (integers only): German and English one/other; French and Portuguese also
// many (round millions); Russian one (1, 21 …), few (2–4, 22 …), many, and
// other for fractions.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"de": {"one", "other"},
	"fr": {"many", "one", "other"},
	"pt": {"many", "one", "other"},
	"ru": {"few", "many", "one", "other"},
}

// oneIsSingle lists the languages whose "one" category holds no number but
// 1 (or 0 and 1): there a sentence may say "the first customer" instead of
// repeating {{.Count}}. Russian's "one" is also 21, 31 …, so it may not.
var oneIsSingle = map[string]bool{"en": true, "de": true, "fr": true, "pt": true}

var placeholderRE = regexp.MustCompile(`{{[^}]*}}`)

// TestEveryLanguageKeepsTheEnglishPlaceholders fails when a translation loses, adds or
// misspells a template action ({{.Name}}, {{if .Message}} …), or when a
// message's plural forms are not the ones its language needs.
func TestEveryLanguageKeepsTheEnglishPlaceholders(t *testing.T) {
	en := localeMessages(t, "en")
	for _, l := range Languages {
		msgs := localeMessages(t, l.Tag)
		for _, id := range sortedIDs(en) {
			src, tr := en[id], msgs[id]
			if tr == nil {
				continue // TestEveryLanguageIsComplete reports it
			}
			_, srcSingle := src[""]
			_, trSingle := tr[""]
			srcPlural, trPlural := !srcSingle, !trSingle
			if srcPlural != trPlural {
				t.Errorf("%s %s: plural in one language and not in the other", l.Tag, id)
				continue
			}
			want := placeholders(src[""])
			if srcPlural {
				want = placeholders(src["other"])
				if got := sortedKeys(tr); strings.Join(got, ",") != strings.Join(pluralForms[l.Tag], ",") {
					t.Errorf("%s %s has plural forms %v, want %v", l.Tag, id, got, pluralForms[l.Tag])
				}
			}
			for form, text := range tr {
				got := placeholders(text)
				if form == "one" && oneIsSingle[l.Tag] && !strings.Contains(text, "{{.Count}}") && strings.Contains(strings.Join(want, " "), "{{.Count}}") {
					got = append(got, "{{.Count}}")
					sort.Strings(got)
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s%s has template actions %v, English has %v: %q", l.Tag, id, formSuffix(form), got, want, text)
				}
			}
		}
	}
}

// placeholders lists a text's template actions, sorted, repeats kept.
func placeholders(s string) []string {
	p := placeholderRE.FindAllString(s, -1)
	sort.Strings(p)
	return p
}

// localeMessages reads a language's messages: ID → form → text, the form
// "" for a message without plural forms.
func localeMessages(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	files, err := fs.Glob(localesFS, path.Join("locales", lang, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no message files (%v)", lang, err)
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		b, err := localesFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for id, raw := range m {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				out[id] = map[string]string{"": s}
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(raw, &forms); err != nil {
				t.Fatalf("%s %s: %v", f, id, err)
			}
			out[id] = forms
		}
	}
	return out
}

func sortedIDs(m map[string]map[string]string) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func formSuffix(form string) string {
	if form == "" {
		return ""
	}
	return "#" + form
}
