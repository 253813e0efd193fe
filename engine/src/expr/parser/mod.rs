//! Recursive-descent parser for conditions (ConditionExpression, FilterExpression,
//! KeyConditionExpression), projections and (in `update`) UpdateExpressions, with DynamoDB's
//! precedence and error messages.
//!
//! Precedence, loosest first: `OR`, `AND`, `NOT`, then comparisons, `BETWEEN`, `IN` and
//! functions; parentheses group. A syntax error stops parsing at once. Other problems (an
//! undefined placeholder, a reserved word, a wrong operand type, ...) are collected while the
//! parse goes on, and the one DynamoDB reports first wins: each `Problem` has a rank.

use super::ast::{describe_value, Comparator, Condition, Operand, Path, PathElement};
use super::context::ExpressionContext;
use super::eval::scalar_cmp;
use super::lexer::{lex, Keyword, Token, TokenKind};
use super::reserved::is_reserved;
use super::ExpressionKind;
use crate::api::{ApiError, ApiResult};
use crate::limits::{
    DOCUMENT_PATH_ELEMENTS_MAX, EXPRESSION_NESTING_MAX, EXPRESSION_SIZE_BYTES_MAX, IN_OPERANDS_MAX,
};
use crate::model::AttributeValue;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Parses a condition: `kind` is Condition, Filter or KeyCondition (it only names the
/// expression in messages). Placeholders resolve through `ctx`, which records their use.
pub fn parse_condition(
    text: &str,
    kind: ExpressionKind,
    ctx: &mut ExpressionContext<'_>,
) -> ApiResult<Condition> {
    check_text(text, kind)?;
    let mut parser = Parser::new(text, kind, ctx);
    let grouped = parser.or(false)?;
    let cond = parser.expect_condition(grouped)?;
    parser.expect(TokenKind::Eof)?;
    parser.finish(cond)
}

/// Parses a ProjectionExpression: document paths separated by commas. Paths that overlap
/// (`a` and `a.b`, or the same path twice) or conflict (`a[0]` and `a.b`) are rejected.
pub fn parse_projection(text: &str, ctx: &mut ExpressionContext<'_>) -> ApiResult<Vec<Path>> {
    check_text(text, ExpressionKind::Projection)?;
    let mut parser = Parser::new(text, ExpressionKind::Projection, ctx);
    let mut paths = Vec::new();
    loop {
        paths.push(parser.path(PathWords::Projection)?);
        match parser.peek().kind {
            TokenKind::Comma => parser.advance(),
            TokenKind::Eof => break,
            _ => return Err(parser.syntax_error()),
        }
    }
    check_overlaps(&paths, &mut parser.problems);
    parser.finish(paths)
}

/// Checks done on the raw text before lexing: its size, then that it is not blank.
fn check_text(text: &str, kind: ExpressionKind) -> ApiResult<()> {
    if text.len() > EXPRESSION_SIZE_BYTES_MAX {
        // DynamoDB appends the size for condition and filter expressions only.
        let size = match kind {
            ExpressionKind::Condition | ExpressionKind::Filter => {
                format!(" expression size: {}", text.len())
            }
            _ => String::new(),
        };
        return Err(invalid(
            kind,
            &format!("Expression size has exceeded the maximum allowed size;{size}"),
        ));
    }
    if text
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        return Err(invalid(kind, "The expression can not be empty;"));
    }
    Ok(())
}

fn invalid(kind: ExpressionKind, detail: &str) -> ApiError {
    ApiError::validation(format!("Invalid {}: {detail}", kind.name()))
}

/// A problem found while parsing, in the order DynamoDB reports them when several occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    Parens,
    UnknownFunction,
    MisusedFunction,
    Reserved,
    Undefined,
    PathDepth,
    OperandCount,
    Distinct,
    OperandType,
    Overlap,
    Conflict,
}

/// The first message of each kind of problem.
type Problems = BTreeMap<Problem, String>;

fn note(problems: &mut Problems, problem: Problem, message: String) {
    problems.entry(problem).or_insert(message);
}

/// A term before it is known how it is used: `size(a)` is an operand, `contains(a, b)` a
/// condition, and either is misused in the other's place.
#[derive(Debug)]
enum Term {
    Path(Path),
    Value(AttributeValue),
    Call { name: String, args: Vec<Term> },
}

/// What a (possibly parenthesized) piece of a condition turned out to be.
enum Parsed {
    Cond(Condition),
    /// A bare operand, only allowed inside parentheses followed by a comparison: `(a) = :v`.
    Operand(Term),
}

struct Grouped {
    parsed: Parsed,
    /// The piece is exactly one parenthesized group, so parentheses around it are redundant.
    wrapped: bool,
}

impl Grouped {
    fn cond(cond: Condition) -> Self {
        Grouped {
            parsed: Parsed::Cond(cond),
            wrapped: false,
        }
    }
}

struct Parser<'s, 'c, 'a> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    kind: ExpressionKind,
    ctx: &'c mut ExpressionContext<'a>,
    problems: Problems,
    depth: usize,
}

impl<'s, 'c, 'a> Parser<'s, 'c, 'a> {
    fn new(src: &'s str, kind: ExpressionKind, ctx: &'c mut ExpressionContext<'a>) -> Self {
        Parser {
            src,
            tokens: lex(src),
            pos: 0,
            kind,
            ctx,
            problems: Problems::new(),
            depth: 0,
        }
    }

    fn finish<T>(self, parsed: T) -> ApiResult<T> {
        match self.problems.into_iter().next() {
            Some((_, message)) => Err(invalid(self.kind, &message)),
            None => Ok(parsed),
        }
    }

    fn peek(&self) -> Token {
        // The lexer always ends the list with Eof and `advance` never moves past it.
        self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> TokenKind {
        let last = self.tokens.len() - 1;
        self.tokens[(self.pos + ahead).min(last)].kind
    }

    fn advance(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn at(&self, keyword: Keyword) -> bool {
        self.peek().kind == TokenKind::Keyword(keyword)
    }

    fn expect(&mut self, kind: TokenKind) -> ApiResult<()> {
        if self.peek().kind != kind {
            return Err(self.syntax_error());
        }
        self.advance();
        Ok(())
    }

    fn note(&mut self, problem: Problem, message: String) {
        note(&mut self.problems, problem, message);
    }

    /// DynamoDB's syntax error: the offending token, and the text from the token before it
    /// through the token after it (to the end of the text when the offender is the end).
    fn syntax_error(&self) -> ApiError {
        let at = self.pos.min(self.tokens.len() - 1);
        let token = self.tokens[at];
        let from = if at > 0 {
            self.tokens[at - 1].start
        } else {
            token.start
        };
        let to = match token.kind {
            TokenKind::Eof => self.src.len(),
            _ => self
                .tokens
                .get(at + 1)
                .map_or(self.src.len(), |next| next.end),
        };
        let text = match token.kind {
            TokenKind::Eof => "<EOF>",
            _ => token.text(self.src),
        };
        let near = self.src.get(from..to).unwrap_or("");
        invalid(
            self.kind,
            &format!("Syntax error; token: \"{text}\", near: \"{near}\""),
        )
    }

    /// Enters one more level of parentheses, `NOT` or function arguments.
    fn enter(&mut self) -> ApiResult<()> {
        self.depth += 1;
        if self.depth > EXPRESSION_NESTING_MAX {
            return Err(invalid(
                self.kind,
                &format!(
                    "The expression has too many nesting levels; nesting levels: {}",
                    self.depth
                ),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn expect_condition(&self, grouped: Grouped) -> ApiResult<Condition> {
        match grouped.parsed {
            Parsed::Cond(cond) => Ok(cond),
            Parsed::Operand(_) => Err(self.syntax_error()),
        }
    }

    /// `and (OR and)*`. With `operand_ok`, a lone parenthesized operand may come back.
    fn or(&mut self, operand_ok: bool) -> ApiResult<Grouped> {
        let first = self.and(operand_ok)?;
        if !self.at(Keyword::Or) {
            return Ok(first);
        }
        let mut cond = self.expect_condition(first)?;
        while self.at(Keyword::Or) {
            self.advance();
            let right = self.and(false)?;
            cond = Condition::Or(Box::new(cond), Box::new(self.expect_condition(right)?));
        }
        Ok(Grouped::cond(cond))
    }

    /// `not (AND not)*`.
    fn and(&mut self, operand_ok: bool) -> ApiResult<Grouped> {
        let first = self.not(operand_ok)?;
        if !self.at(Keyword::And) {
            return Ok(first);
        }
        let mut cond = self.expect_condition(first)?;
        while self.at(Keyword::And) {
            self.advance();
            let right = self.not(false)?;
            cond = Condition::And(Box::new(cond), Box::new(self.expect_condition(right)?));
        }
        Ok(Grouped::cond(cond))
    }

    /// `NOT* primary`, looping rather than recursing over the `NOT`s.
    fn not(&mut self, operand_ok: bool) -> ApiResult<Grouped> {
        let mut nots = 0;
        while self.at(Keyword::Not) {
            self.advance();
            self.enter()?;
            nots += 1;
        }
        if nots == 0 {
            return self.primary(operand_ok);
        }
        let inner = self.primary(false)?;
        let mut cond = self.expect_condition(inner)?;
        for _ in 0..nots {
            cond = Condition::Not(Box::new(cond));
            self.leave();
        }
        Ok(Grouped::cond(cond))
    }

    /// `( or )`, or a comparison, BETWEEN, IN or function call.
    fn primary(&mut self, operand_ok: bool) -> ApiResult<Grouped> {
        if self.peek().kind != TokenKind::LParen {
            let term = self.bare_term()?;
            return self.after_term(term, operand_ok, false);
        }
        self.advance();
        self.enter()?;
        let inner = self.or(true)?;
        self.expect(TokenKind::RParen)?;
        self.leave();
        if inner.wrapped {
            self.note(
                Problem::Parens,
                "The expression has redundant parentheses;".into(),
            );
        }
        match inner.parsed {
            Parsed::Cond(cond) => Ok(Grouped {
                parsed: Parsed::Cond(cond),
                wrapped: true,
            }),
            Parsed::Operand(term) => self.after_term(term, operand_ok, true),
        }
    }

    /// What follows a term decides what it is: the left side of a comparison, BETWEEN or IN,
    /// a function used as a condition, or (inside parentheses) an operand.
    fn after_term(&mut self, term: Term, operand_ok: bool, wrapped: bool) -> ApiResult<Grouped> {
        if let Some(op) = comparator(self.peek().kind) {
            self.advance();
            return Ok(Grouped::cond(self.comparison(op, term)?));
        }
        if self.at(Keyword::Between) {
            self.advance();
            return Ok(Grouped::cond(self.between(term)?));
        }
        if self.at(Keyword::In) {
            self.advance();
            return Ok(Grouped::cond(self.in_list(term)?));
        }
        match term {
            Term::Call { name, args } if name != "size" => {
                Ok(Grouped::cond(self.call_condition(&name, args)))
            }
            term if operand_ok => Ok(Grouped {
                parsed: Parsed::Operand(term),
                wrapped,
            }),
            Term::Call { name, args } => {
                self.call_operand(&name, args);
                self.note_misused(&name);
                Ok(Grouped::cond(Condition::AttributeExists(Path::default())))
            }
            _ => Err(self.syntax_error()),
        }
    }

    fn comparison(&mut self, op: Comparator, left: Term) -> ApiResult<Condition> {
        let right = self.term()?;
        if let (Term::Path(a), Term::Path(b)) = (&left, &right) {
            if a == b {
                self.note_distinct(op.symbol(), a);
            }
        }
        let left = self.operand(left);
        let right = self.operand(right);
        if op.is_ordering() {
            self.check_ordered(op.symbol(), [&left, &right]);
        }
        Ok(Condition::Compare { op, left, right })
    }

    fn between(&mut self, operand: Term) -> ApiResult<Condition> {
        let low = self.term()?;
        if !self.at(Keyword::And) {
            return Err(self.syntax_error());
        }
        self.advance();
        let high = self.term()?;
        let operand = self.operand(operand);
        let low = self.operand(low);
        let high = self.operand(high);
        self.check_ordered("BETWEEN", [&operand, &low, &high]);
        if let (Operand::Value(l), Operand::Value(h)) = (&low, &high) {
            let wrong = if l.type_name() != h.type_name() {
                Some("requires same data type for lower and upper bounds")
            } else if scalar_cmp(l, h) == Some(Ordering::Greater) {
                Some("requires upper bound to be greater than or equal to lower bound")
            } else {
                None
            };
            if let Some(wrong) = wrong {
                let message = format!(
                    "The BETWEEN operator {wrong}; lower bound operand: AttributeValue: {}, upper \
                     bound operand: AttributeValue: {}",
                    describe_value(l),
                    describe_value(h)
                );
                self.note(Problem::OperandType, message);
            }
        }
        Ok(Condition::Between { operand, low, high })
    }

    fn in_list(&mut self, operand: Term) -> ApiResult<Condition> {
        let terms = self.arguments()?;
        if terms.len() > IN_OPERANDS_MAX {
            return Err(invalid(
                self.kind,
                &format!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    terms.len()
                ),
            ));
        }
        let operand = self.operand(operand);
        let list = terms.into_iter().map(|t| self.operand(t)).collect();
        Ok(Condition::In { operand, list })
    }

    /// `( term (, term)* )`: the arguments of a function or the list of IN.
    fn arguments(&mut self) -> ApiResult<Vec<Term>> {
        self.expect(TokenKind::LParen)?;
        self.enter()?;
        let mut terms = vec![self.term()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            terms.push(self.term()?);
        }
        self.expect(TokenKind::RParen)?;
        self.leave();
        Ok(terms)
    }

    /// A term in operand position, perhaps in parentheses: `a`, `(:v)`, `size(a)`.
    fn term(&mut self) -> ApiResult<Term> {
        self.grouped_term().map(|(term, _)| term)
    }

    fn grouped_term(&mut self) -> ApiResult<(Term, bool)> {
        if self.peek().kind != TokenKind::LParen {
            return Ok((self.bare_term()?, false));
        }
        self.advance();
        self.enter()?;
        let (term, wrapped) = self.grouped_term()?;
        self.expect(TokenKind::RParen)?;
        self.leave();
        if wrapped {
            self.note(
                Problem::Parens,
                "The expression has redundant parentheses;".into(),
            );
        }
        Ok((term, true))
    }

    /// A path, a `:value`, or a function call `name(args)`.
    fn bare_term(&mut self) -> ApiResult<Term> {
        let token = self.peek();
        match token.kind {
            TokenKind::Identifier if self.peek_at(1) == TokenKind::LParen => {
                let name = token.text(self.src).to_owned();
                self.advance();
                let args = self.arguments()?;
                Ok(Term::Call { name, args })
            }
            TokenKind::Value => {
                self.advance();
                let placeholder = token.text(self.src);
                match self.ctx.resolve_value(placeholder) {
                    Some(value) => Ok(Term::Value(value.clone())),
                    None => {
                        self.note(
                            Problem::Undefined,
                            format!(
                                "An expression attribute value used in expression is not \
                                 defined; attribute value: {placeholder}"
                            ),
                        );
                        Ok(Term::Value(AttributeValue::Null))
                    }
                }
            }
            _ => Ok(Term::Path(self.path(PathWords::Condition)?)),
        }
    }

    /// A document path; `words` says which keywords it takes for (reserved) names.
    fn path(&mut self, words: PathWords) -> ApiResult<Path> {
        let mut elements = vec![self.path_name(words)?];
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    elements.push(self.path_name(words)?);
                }
                TokenKind::LBracket => {
                    self.advance();
                    let token = self.peek();
                    let index = match token.kind {
                        TokenKind::Integer => token.text(self.src).parse::<u32>().ok(),
                        _ => None,
                    };
                    let Some(index) = index else {
                        return Err(self.syntax_error());
                    };
                    self.advance();
                    self.expect(TokenKind::RBracket)?;
                    elements.push(PathElement::Index(index));
                }
                _ => break,
            }
        }
        if elements.len() > DOCUMENT_PATH_ELEMENTS_MAX {
            let message = format!(
                "The document path has too many nesting levels; nesting levels: {}",
                elements.len()
            );
            self.note(Problem::PathDepth, message);
        }
        Ok(Path { elements })
    }

    fn path_name(&mut self, words: PathWords) -> ApiResult<PathElement> {
        let token = self.peek();
        let text = token.text(self.src);
        let name = match token.kind {
            TokenKind::Name => match self.ctx.resolve_name(text) {
                Some(name) => name.to_owned(),
                None => {
                    self.note(
                        Problem::Undefined,
                        format!(
                            "An expression attribute name used in the document path is not \
                             defined; attribute name: {text}"
                        ),
                    );
                    text.to_owned()
                }
            },
            TokenKind::Identifier => text.to_owned(),
            TokenKind::Keyword(k) if words.takes(k) => text.to_owned(),
            _ => return Err(self.syntax_error()),
        };
        if token.kind != TokenKind::Name && is_reserved(text) {
            self.note(
                Problem::Reserved,
                format!("Attribute name is a reserved keyword; reserved keyword: {text}"),
            );
        }
        self.advance();
        Ok(PathElement::Attribute(name))
    }
}

/// Which keywords a grammar's document paths take for (reserved) attribute names: a
/// condition's grammar uses AND, OR, NOT, BETWEEN and IN and an update's the section words, so
/// neither takes its own words for names; a projection has no keywords and takes them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathWords {
    Condition,
    Projection,
    Update,
}

impl PathWords {
    fn takes(self, keyword: Keyword) -> bool {
        match self {
            PathWords::Condition => keyword.is_update_section(),
            PathWords::Projection => true,
            PathWords::Update => !keyword.is_update_section(),
        }
    }
}

fn comparator(kind: TokenKind) -> Option<Comparator> {
    Some(match kind {
        TokenKind::Eq => Comparator::Eq,
        TokenKind::Ne => Comparator::Ne,
        TokenKind::Lt => Comparator::Lt,
        TokenKind::Le => Comparator::Le,
        TokenKind::Gt => Comparator::Gt,
        TokenKind::Ge => Comparator::Ge,
        _ => return None,
    })
}

/// Two projected paths overlap when one is a prefix of the other (or they are equal), and
/// conflict when at the first difference one indexes a list and the other names a map key.
/// The first overlap wins over any conflict, as in DynamoDB; pairs are taken in text order.
fn check_overlaps(paths: &[Path], problems: &mut Problems) {
    for (j, later) in paths.iter().enumerate() {
        for earlier in &paths[..j] {
            let pairs = earlier.elements.iter().zip(&later.elements);
            let mut problem = Some(Problem::Overlap);
            for (a, b) in pairs {
                let same_kind = matches!(
                    (a, b),
                    (PathElement::Attribute(_), PathElement::Attribute(_))
                        | (PathElement::Index(_), PathElement::Index(_))
                );
                if !same_kind {
                    problem = Some(Problem::Conflict);
                    break;
                }
                if a != b {
                    problem = None;
                    break;
                }
            }
            let (problem, verb) = match problem {
                Some(Problem::Overlap) => (Problem::Overlap, "overlap"),
                Some(_) => (Problem::Conflict, "conflict"),
                None => continue,
            };
            let message = format!(
                "Two document paths {verb} with each other; must remove or rewrite one of these \
                 paths; path one: {earlier}, path two: {later}"
            );
            note(problems, problem, message);
            if problem == Problem::Overlap {
                return;
            }
        }
    }
}

mod calls;
mod update;

pub use update::parse_update;

#[cfg(test)]
mod tests;
