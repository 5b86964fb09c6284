//! Payments as credentials: x402 challenges.

pub mod x402_payment;
