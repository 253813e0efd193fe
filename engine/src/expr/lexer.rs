//! Splits expression text into tokens with byte offsets. Lexing never fails: a character no
//! token starts with becomes an [`TokenKind::Unknown`] token, which the parser reports as a
//! syntax error with DynamoDB's "token"/"near" context.

/// A keyword. Keywords are case-insensitive (`and`, `AND` and `aNd` are the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT`
    Not,
    /// `BETWEEN`
    Between,
    /// `IN`
    In,
    /// `SET` (UpdateExpression section)
    Set,
    /// `REMOVE` (UpdateExpression section)
    Remove,
    /// `ADD` (UpdateExpression section)
    Add,
    /// `DELETE` (UpdateExpression section)
    Delete,
}

impl Keyword {
    /// The keyword a word spells, ignoring case.
    pub fn parse(word: &str) -> Option<Self> {
        const ALL: [(&str, Keyword); 9] = [
            ("AND", Keyword::And),
            ("OR", Keyword::Or),
            ("NOT", Keyword::Not),
            ("BETWEEN", Keyword::Between),
            ("IN", Keyword::In),
            ("SET", Keyword::Set),
            ("REMOVE", Keyword::Remove),
            ("ADD", Keyword::Add),
            ("DELETE", Keyword::Delete),
        ];
        ALL.iter()
            .find(|(spelling, _)| word.eq_ignore_ascii_case(spelling))
            .map(|&(_, keyword)| keyword)
    }

    /// True for the UpdateExpression section names, which condition expressions treat as
    /// (reserved) attribute names.
    pub fn is_update_section(self) -> bool {
        matches!(
            self,
            Keyword::Set | Keyword::Remove | Keyword::Add | Keyword::Delete
        )
    }
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A bare name: `[A-Za-z_][A-Za-z0-9_]*` that is not a keyword.
    Identifier,
    /// A keyword (see [`Keyword`]).
    Keyword(Keyword),
    /// `#` followed by `[A-Za-z0-9_]*`: an ExpressionAttributeNames placeholder.
    Name,
    /// `:` followed by `[A-Za-z0-9_]*`: an ExpressionAttributeValues placeholder.
    Value,
    /// `[0-9]+`, as used for list indexes.
    Integer,
    /// `.`
    Dot,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// Anything else: one character, or a run of word characters starting with a digit.
    Unknown,
    /// The end of the text; always the last token, empty.
    Eof,
}

/// A token: its kind and its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

impl Token {
    /// The token's text in `src` (the text it was lexed from).
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Splits `src` into tokens, skipping spaces, tabs, carriage returns and newlines. The last
/// token is always [`TokenKind::Eof`].
pub fn lex(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let b = bytes[pos];
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            pos += 1;
            continue;
        }
        let start = pos;
        let word_end = |from: usize| {
            let mut end = from;
            while end < bytes.len() && is_word_byte(bytes[end]) {
                end += 1;
            }
            end
        };
        let (kind, end) = match b {
            b'#' => (TokenKind::Name, word_end(pos + 1)),
            b':' => (TokenKind::Value, word_end(pos + 1)),
            b'0'..=b'9' => {
                let end = word_end(pos);
                let digits = bytes[pos..end].iter().all(u8::is_ascii_digit);
                let kind = if digits {
                    TokenKind::Integer
                } else {
                    TokenKind::Unknown
                };
                (kind, end)
            }
            b if is_word_byte(b) => {
                let end = word_end(pos);
                let kind = match Keyword::parse(&src[pos..end]) {
                    Some(keyword) => TokenKind::Keyword(keyword),
                    None => TokenKind::Identifier,
                };
                (kind, end)
            }
            b'<' => match bytes.get(pos + 1) {
                Some(b'>') => (TokenKind::Ne, pos + 2),
                Some(b'=') => (TokenKind::Le, pos + 2),
                _ => (TokenKind::Lt, pos + 1),
            },
            b'>' => match bytes.get(pos + 1) {
                Some(b'=') => (TokenKind::Ge, pos + 2),
                _ => (TokenKind::Gt, pos + 1),
            },
            _ => (punctuation(b), pos + char_len(src, pos)),
        };
        tokens.push(Token { kind, start, end });
        pos = end;
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        start: bytes.len(),
        end: bytes.len(),
    });
    tokens
}

fn punctuation(b: u8) -> TokenKind {
    match b {
        b'.' => TokenKind::Dot,
        b'[' => TokenKind::LBracket,
        b']' => TokenKind::RBracket,
        b'(' => TokenKind::LParen,
        b')' => TokenKind::RParen,
        b',' => TokenKind::Comma,
        b'=' => TokenKind::Eq,
        b'+' => TokenKind::Plus,
        b'-' => TokenKind::Minus,
        _ => TokenKind::Unknown,
    }
}

/// Length in bytes of the UTF-8 character starting at `pos` (1 if `pos` is not a boundary,
/// which cannot happen for positions the lexer reaches).
fn char_len(src: &str, pos: usize) -> usize {
    src.get(pos..)
        .and_then(|rest| rest.chars().next())
        .map_or(1, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    /// Lexes `src` and renders each token as `Kind'text'`, space-separated, without the Eof.
    fn check(src: &str, expected: &str) {
        let tokens = lex(src);
        assert_eq!(tokens.last().map(|t| t.kind), Some(Eof), "{src}");
        let got: Vec<String> = tokens[..tokens.len() - 1]
            .iter()
            .map(|t| format!("{:?}'{}'", t.kind, t.text(src)))
            .collect();
        assert_eq!(got.join(" "), expected, "{src}");
    }

    /// Runs `check` on each line `source => tokens` of `table`.
    fn check_table(table: &str) {
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (src, expected) = line.split_once(" => ").expect("`source => tokens`");
            check(src.trim(), expected.trim());
        }
    }

    #[test]
    fn lex_punctuation_and_comparators_yield_one_token_each() {
        check_table(
            r##"
            . [ ] ( ) , + - => Dot'.' LBracket'[' RBracket']' LParen'(' RParen')' Comma',' Plus'+' Minus'-'
            = <> < <= > >= => Eq'=' Ne'<>' Lt'<' Le'<=' Gt'>' Ge'>='
            a<=b => Identifier'a' Le'<=' Identifier'b'
            <<>> => Lt'<' Ne'<>' Gt'>'
            "##,
        );
    }

    #[test]
    fn lex_words_split_into_identifiers_keywords_and_placeholders() {
        check_table(
            r##"
            a_1 _x Name => Identifier'a_1' Identifier'_x' Identifier'Name'
            and OR Not between iN => Keyword(And)'and' Keyword(Or)'OR' Keyword(Not)'Not' Keyword(Between)'between' Keyword(In)'iN'
            SET remove Add delete => Keyword(Set)'SET' Keyword(Remove)'remove' Keyword(Add)'Add' Keyword(Delete)'delete'
            #a #0_b # :v :1 : => Name'#a' Name'#0_b' Name'#' Value':v' Value':1' Value':'
            android => Identifier'android'
            "##,
        );
    }

    #[test]
    fn lex_numbers_and_odd_characters_yield_integers_or_unknown() {
        check_table(
            r##"
            a[12] => Identifier'a' LBracket'[' Integer'12' RBracket']'
            1abc 007 => Unknown'1abc' Integer'007'
            !é$ => Unknown'!' Unknown'é' Unknown'$'
            "##,
        );
        check("a\t\r\n b", "Identifier'a' Identifier'b'");
    }

    #[test]
    fn lex_offsets_point_into_the_source() {
        let tokens = lex("  ab = :c ");
        let spans: Vec<(usize, usize)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, vec![(2, 4), (5, 6), (7, 9), (10, 10)]);
    }
}
