// The stored text of the audit log's actions and link methods and of SIS import states, shared by
// every storage backend so that each writes and reads the same values ("created", "pairing_code",
// "imported", ...). Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "observees/sis_import.h"
#include "observees/types.h"

namespace observees {

inline std::string_view AuditActionText(AuditAction action) {
  switch (action) {
    case AuditAction::kCreated: return "created";
    case AuditAction::kRestored: return "restored";
    case AuditAction::kRemoved: return "removed";
    case AuditAction::kCodeCreated: return "code_created";
    case AuditAction::kCodeRedeemed: return "code_redeemed";
    case AuditAction::kCodeRevoked: return "code_revoked";
  }
  return "unknown";
}

// The inverse of AuditActionText; unknown text reads as kCreated.
inline AuditAction AuditActionFromText(std::string_view text) {
  if (text == "restored") return AuditAction::kRestored;
  if (text == "removed") return AuditAction::kRemoved;
  if (text == "code_created") return AuditAction::kCodeCreated;
  if (text == "code_redeemed") return AuditAction::kCodeRedeemed;
  if (text == "code_revoked") return AuditAction::kCodeRevoked;
  return AuditAction::kCreated;
}

inline std::string_view LinkMethodText(LinkMethod method) {
  switch (method) {
    case LinkMethod::kCredentials: return "credentials";
    case LinkMethod::kAccessToken: return "access_token";
    case LinkMethod::kPairingCode: return "pairing_code";
    case LinkMethod::kAdministrator: return "administrator";
    case LinkMethod::kSelfRegistration: return "self_registration";
    case LinkMethod::kObserver: return "observer";
    case LinkMethod::kFixture: return "fixture";
    case LinkMethod::kSisImport: return "sis_import";
  }
  return "unknown";
}

// The inverse of LinkMethodText; unknown text reads as kAdministrator.
inline LinkMethod LinkMethodFromText(std::string_view text) {
  if (text == "credentials") return LinkMethod::kCredentials;
  if (text == "access_token") return LinkMethod::kAccessToken;
  if (text == "pairing_code") return LinkMethod::kPairingCode;
  if (text == "self_registration") return LinkMethod::kSelfRegistration;
  if (text == "observer") return LinkMethod::kObserver;
  if (text == "fixture") return LinkMethod::kFixture;
  if (text == "sis_import") return LinkMethod::kSisImport;
  return LinkMethod::kAdministrator;
}

// The inverse of SisImportStateName (sis_import.h); unknown text reads as kFailed.
inline SisImportState SisImportStateFromText(std::string_view text) {
  for (const SisImportState state :
       {SisImportState::kCreated, SisImportState::kImporting, SisImportState::kImported,
        SisImportState::kImportedWithMessages, SisImportState::kAborted, SisImportState::kFailedWithMessages}) {
    if (text == SisImportStateName(state)) return state;
  }
  return SisImportState::kFailed;
}

}  // namespace observees
