//! Who is calling, for plain HTTP handlers: `Principal` is an actix extractor,
//! so a handler that takes one runs only for a valid token, and every other
//! request gets 401 saying why (or 500 when the token could not be looked up).

use crate::error::{Error, Refusal};
use crate::service::auth::AuthOutcome;
use crate::service::principal::Principal;
use crate::service::Service;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

/// The Authorization header, when it is text.
pub fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
}

/// The caller named by an Authorization header, or why there is none.
pub async fn principal_from(state: &Service, header: Option<&str>) -> crate::Result<AuthOutcome> {
    match header.and_then(crate::service::auth::bearer) {
        Some(token) => state.authenticate(token).await,
        None => Ok(AuthOutcome::Refused(Refusal::Missing)),
    }
}

impl FromRequest for Principal {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<Service>>().cloned();
        let header = authorization(req).map(str::to_string);
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::Internal("no service in the app".into()))?;
            match principal_from(&state, header.as_deref()).await? {
                AuthOutcome::Accepted(p) => Ok(p),
                AuthOutcome::Refused(why) => Err(Error::Unauthenticated(why)),
            }
        })
    }
}
