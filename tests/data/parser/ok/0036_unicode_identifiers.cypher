MATCH (kunde:Kunde {straße: 'Hauptstraße', 名前: '山田'}) RETURN kunde.名前 AS `名前`, kunde.straße
